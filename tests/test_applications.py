"""``shapecheck.library.applications`` against what Keras builds.

One child process builds every sample call below with the installed Keras (through the
runner's ``patch_applications``, so ``weights="imagenet"`` needs no download; variables
are never initialised, which changes no shape or count) and reports each model's name,
shapes, parameter counts and final activation, or the exception it raised; nothing
expected is written down here. The static side must agree exactly, and raise
``ApplicationError`` (with the argument at fault) wherever Keras raises.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck.library import applications as apps
from shapecheck.values import UNKNOWN, Tensor

ROOT = Path(__file__).resolve().parents[1]

# Every application at least once; odd, non-square and near-minimum sizes; 1 and 4
# channels; tops with other class counts; every pooling; aliases; positional binding.
BUILDS = [
    "ConvNeXtTiny(include_top=False, weights=None, pooling='avg', input_shape=(35, 41, 3))",
    "ConvNeXtSmall(include_top=True, weights=None, classes=10, input_shape=(64, 48, 3))",
    "ConvNeXtBase(include_top=False, weights=None, input_shape=(97, 33, 3), include_preprocessing=False)",
    "ConvNeXtLarge(include_top=False, weights=None, pooling='max', input_shape=(32, 32, 1))",
    "ConvNeXtXLarge(include_top=False, weights=None, input_shape=(33, 35, 3))",
    "DenseNet121(include_top=False, weights=None, input_shape=(33, 65, 3))",
    "DenseNet169(include_top=True, weights=None, classes=10, input_shape=(45, 37, 4))",
    "DenseNet201(include_top=False, weights=None, pooling='avg', input_tensor=Input((30, 31, 3)))",
    "EfficientNetB0(include_top=False, weights=None, input_shape=(33, 37, 1))",
    "EfficientNetB1(include_top=True, weights=None, classes=10, input_shape=(65, 65, 4))",
    "EfficientNetB2(include_top=False, weights=None, input_shape=(None, 45, 3))",
    "EfficientNetB3(include_top=False, weights=None, pooling='max', input_shape=(77, 51, 3))",
    "EfficientNetB4(False, None, None, (32, 33, 3))",
    "EfficientNetB5(include_top=False, weights=None, input_shape=(41, 32, 3))",
    "EfficientNetB6(include_top=True, weights=None, classes=3, input_shape=(33, 33, 3))",
    "EfficientNetB7(include_top=False, weights=None, input_shape=(33, 47, 3))",
    "EfficientNetV2B0(include_top=False, weights=None, input_shape=(33, 47, 3))",
    "EfficientNetV2B1(include_top=True, weights=None, classes=10, input_shape=(40, 33, 1))",
    "EfficientNetV2B2(include_top=False, weights=None, include_preprocessing=False, "
    "input_tensor=Input((35, 36, 1)))",
    "EfficientNetV2B3(include_top=False, weights=None, pooling='avg', input_shape=(None, None, 3))",
    "EfficientNetV2S(include_top=False, weights=None, input_shape=(33, 65, 3))",
    "EfficientNetV2M(include_top=False, weights=None, input_shape=(32, 32, 3))",
    "EfficientNetV2L(include_top=False, weights=None, input_shape=(37, 33, 3))",
    "InceptionResNetV2(include_top=False, weights=None, input_shape=(75, 80, 3))",
    "InceptionV3(include_top=True, weights=None, classes=10, input_shape=(99, 76, 1))",
    "MobileNet(include_top=False, weights=None, alpha=0.5, input_shape=(128, 128, 3))",
    "MobileNet(include_top=True, weights=None, alpha=0.75, classes=10, input_shape=(160, 161, 3))",
    "MobileNetV2(include_top=False, weights=None, alpha=1.3, input_shape=(33, 47, 4))",
    "MobileNetV2(include_top=False, weights='imagenet', alpha=0.35, input_shape=(96, 96, 3))",
    "MobileNetV3Small(include_top=True, weights=None, classes=10, minimalistic=True)",
    "MobileNetV3Large(include_top=False, weights=None, alpha=0.75, input_shape=(33, 41, 1))",
    "NASNetMobile(include_top=False, weights=None)",
    "NASNetMobile(include_top=False, weights=None, input_shape=(None, None, 3))",
    "NASNetLarge(include_top=False, weights=None, input_shape=(33, 40, 3))",
    "ResNet50(False, None, None, (64, 64, 3))",
    "resnet.ResNet101(include_top=True, weights=None, classes=10, input_shape=(33, 35, 3), pooling='max')",
    "ResNet152(include_top=False, weights=None, input_tensor=Input(batch_shape=(2, 40, 51, 3)), "
    "input_shape=(99, 99, 3))",
    "ResNet50V2(include_top=False, weights=None, pooling='avg', input_shape=(33, 33, 1))",
    "ResNet101V2(include_top=False, weights=None, input_shape=(65, 37, 3), pooling='mean')",
    "ResNet152V2(include_top=True, weights=None, classes=10, input_shape=(40, 40, 3))",
    "VGG16(include_top=True, weights=None, classes=10, input_shape=(67, 33, 3))",
    "VGG19(include_top=False, weights=None, input_shape=(32, 32, 4))",
    "Xception(include_top=False, weights=None, input_shape=(71, 72, 3))",
    "resnet50.ResNet50(weights='imagenet')",
    "efficientnet.EfficientNetB0(weights='imagenet', include_top=False)",
    "DenseNet121(weights='imagenet', classifier_activation=None, input_shape=(224, 224, 3))",
]

# Calls Keras rejects while building, with the argument the static side blames.
ERRORS = [
    ("ResNet50(include_top=False, weights=None, input_shape=(16, 16, 3))", "input_shape"),
    ("InceptionV3(include_top=False, weights=None, input_shape=(74, 80, 3))", "input_shape"),
    ("ResNet50(include_top=False, weights=None, input_shape=(64, 64))", "input_shape"),
    ("ResNet50(weights='imagenet', classes=10)", "classes"),
    ("VGG16(weights='imagenet', include_top=False, input_shape=(64, 64, 1))", "input_shape"),
    ("ResNet50(weights='imagenet', input_shape=(200, 200, 3))", "input_shape"),
    ("ResNet50(weights='imagenet', input_shape=[224, 224, 3])", "input_shape"),
    ("ResNet50(weights=None, input_shape=(None, None, 3))", "input_shape"),
    ("ResNet50(weights='imagenet', classifier_activation='relu')", "classifier_activation"),
    ("ResNet50(weights=None, classes=0)", "classes"),
    ("ResNet50(weights=5)", "weights"),
    ("ResNet50(foo=1)", "foo"),
    ("MobileNet(weights='imagenet', alpha=0.3, include_top=False, input_shape=(128, 128, 3))", "alpha"),
    ("MobileNet(weights='imagenet', depth_multiplier=2, include_top=False)", "depth_multiplier"),
    ("MobileNetV2(weights='imagenet', alpha=0.6, include_top=False)", "alpha"),
    ("MobileNetV3Large(weights='imagenet', alpha=0.5)", "alpha"),
    ("MobileNetV3Small(include_top=False, weights=None, input_tensor=Input((24, 40, 3)))", "input_tensor"),
    ("MobileNetV2(include_top=False, weights=None, input_shape=(64, 64, 3), "
     "input_tensor=Input((64, 72, 3)))", "input_shape"),
    ("MobileNetV2(include_top=False, weights=None, input_shape=(64, None, 3))", "input_shape"),
    ("NASNetMobile(include_top=False, weights=None, input_shape=(None, 37, 3))", "input_shape"),
    ("NASNetLarge(weights='imagenet', include_top=False, input_shape=(None, None, 3))", "input_shape"),
    ("ConvNeXtTiny(weights='imagenet', include_top=False, name='backbone')", "name"),
    ("ConvNeXtTiny(include_top=False, weights=None, input_tensor=Input((64, 64, 1)))", "input_tensor"),
    ("EfficientNetV2B0(include_top=False, weights=None, name='backbone')", "name"),
    ("VGG16(include_top=False, weights=None, input_tensor=Input((16, 16, 3)))", "input_tensor"),
    ("VGG16(include_top=True, weights=None, input_tensor=Input((None, None, 3)))", "input_tensor"),
]

CHILD = r'''
import json, math, os, re, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
from keras.src.backend import StatelessScope
from shapecheck.verify.offline import patch_applications
patch_applications()
namespace = {name: getattr(keras.applications, name) for name in dir(keras.applications)}
namespace["Input"] = keras.Input
results = []
for call in json.load(sys.stdin):
    keras.backend.clear_session()
    try:
        with StatelessScope(initialize_variables=False):
            model = eval(call, namespace)
    except Exception as exc:
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
        results.append({"error": type(exc).__name__, "message": text})
        continue
    trainable = sum(math.prod(v.shape) for v in model.trainable_weights)
    last = getattr(model.layers[-1], "activation", None)
    results.append({"name": model.name, "input_shape": list(model.input_shape),
                    "output_shape": list(model.output_shape), "params": model.count_params(),
                    "trainable": trainable, "activation": getattr(last, "__name__", None)})
json.dump(results, sys.stdout)
'''


@pytest.fixture(scope="module")
def keras_results():
    calls = BUILDS + [call for call, _ in ERRORS]
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(calls), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(zip(calls, json.loads(done.stdout)))


def static(call: str):
    """``call`` evaluated by the static module: literals as constants, ``Input`` a
    symbolic Tensor with its batch axis."""
    node = ast.parse(call, mode="eval").body

    def value(arg):
        if isinstance(arg, ast.Call):
            kw = {k.arg: ast.literal_eval(k.value) for k in arg.keywords}
            shape = kw.get("batch_shape") or (None, *ast.literal_eval(arg.args[0]))
            return Tensor(tuple(shape), symbolic=True)
        return ast.literal_eval(arg)

    name = f"keras.applications.{ast.unparse(node.func)}"
    return apps.application(name, [value(a) for a in node.args],
                            {k.arg: value(k.value) for k in node.keywords})


@pytest.mark.parametrize("call", BUILDS)
def test_builds_agree_with_keras(call, keras_results):
    real = keras_results[call]
    assert "error" not in real, real
    got = static(call)
    mine = {"name": got.name, "input_shape": list(got.input_shape),
            "output_shape": list(got.output_shape), "params": got.params,
            "trainable": got.trainable_params, "activation": got.final_activation}
    if not got.include_top:
        real = {**real, "activation": None}
    assert mine == real
    assert got.params == got.trainable_params + got.non_trainable_params


@pytest.mark.parametrize("call,keyword", ERRORS)
def test_errors_agree_with_keras(call, keyword, keras_results):
    real = keras_results[call]
    assert "error" in real, f"Keras built it: {real}"
    with pytest.raises(apps.ApplicationError) as raised:
        static(call)
    assert raised.value.keyword == keyword
    # Keras's own words come first (a graph error: the reason, not the layer's shapes)
    message = raised.value.message
    texts = [re.sub(r"\{\{.*?\}\}\s*", "", t) for t in
             (real["message"], f"{real['error']}: {real['message']}")]
    assert any(message[:25] in t or t in message for t in texts), (message, texts)


# ---------------------------------------------------------------- static only


def test_unknown_stays_unknown():
    got = apps.application("keras.applications.ResNet50", [],
                           {"include_top": False, "weights": None, "input_shape": (UNKNOWN, 64, 3)})
    assert got.output_shape == (None, UNKNOWN, 2, 2048) and got.params == 23587712
    got = apps.application("keras.applications.ResNet50", [], {"weights": UNKNOWN, "classes": 10})
    assert got.output_shape == (None, 10)  # no error claimed: the weights may be a path
    got = apps.application("keras.applications.ResNet50", [], {"include_top": UNKNOWN})
    assert got.output_shape is UNKNOWN and got.params is UNKNOWN and got.final_activation is UNKNOWN
    got = apps.application("keras.applications.ResNet50", [],
                           {"include_top": False, "weights": None, "pooling": UNKNOWN})
    assert got.output_shape is UNKNOWN and got.params == 23587712
    got = apps.application("keras.applications.VGG16", [],
                           {"weights": None, "input_tensor": Tensor((None, UNKNOWN, 64, 3), symbolic=True)})
    assert got.output_shape == (None, 1000) and got.params is UNKNOWN  # fc1 needs the size
    got = apps.application("keras.applications.ResNet50", [],
                           {"include_top": False, "weights": None, "input_tensor": UNKNOWN})
    assert got.input_shape is UNKNOWN and got.output_shape == (UNKNOWN, UNKNOWN, UNKNOWN, 2048)


def test_arbitrary_alpha_is_unknown_not_wrong():
    got = apps.application("keras.applications.MobileNetV2", [], {
        "include_top": False, "weights": None, "alpha": 0.6, "input_shape": (64, 64, 3)})
    assert got.output_shape == (None, 2, 2, UNKNOWN) and got.params is UNKNOWN
    assert got.name == "mobilenetv2_0.60_64"
    got = apps.application("keras.applications.MobileNet", [], {
        "include_top": False, "weights": None, "depth_multiplier": 2, "input_shape": (64, 64, 3)})
    assert got.output_shape == (None, 2, 2, 1024) and got.params is UNKNOWN


def test_messages_say_how_to_fix():
    with pytest.raises(apps.ApplicationError) as raised:
        apps.application("keras.applications.ResNet50", [],
                         {"include_top": False, "weights": None, "input_shape": (16, 16, 3)})
    assert raised.value.message == ("Input size must be at least 32x32; Received: input_shape="
                                    "(16, 16, 3): use input_shape of at least (32, 32, 3)")
    assert raised.value.keyword == "input_shape"


def test_names():
    assert "keras.applications.resnet50.ResNet50" in apps.NAMES
    assert "keras.applications.efficientnet.EfficientNetB0" in apps.NAMES
    assert apps.canonical_application("keras.applications.resnet.ResNet50") == \
        "keras.applications.ResNet50"
    assert apps.canonical_application("keras.applications.resnet.Dense") is None
    assert len({apps.canonical_application(n) for n in apps.NAMES}) == 40
    assert apps.HELPERS["keras.applications.vgg16.preprocess_input"] == ("preprocess_input", "float32")
    assert apps.HELPERS["keras.applications.convnext.preprocess_input"] == ("preprocess_input", "same")
    assert apps.HELPERS["keras.applications.resnet.decode_predictions"][0] == "decode_predictions"


def test_static_module_never_imports_tensorflow():
    code = ("import sys; from shapecheck.library import applications as a; "
            "a.application('keras.applications.ResNet50', [], {}); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'keras', 'tensorflow'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("app, size", [("VGG16", (64, 80)), ("ResNet50V2", (97, 65)),
                                       ("MobileNetV2", (96, 128)), ("EfficientNetB0", (75, 99)),
                                       ("InceptionV3", (139, 150)), ("DenseNet121", (64, 96))])
def test_layer_cuts_agree_with_keras(app, size):
    """A cut of the backbone at a sample of its layers (``application_layers.json.gz``) has
    the output shape and parameter count Keras gives for another input size than the one
    the table was made with."""
    import keras

    from shapecheck.library import application_layers

    model = getattr(keras.applications, app)(include_top=False, weights=None, input_shape=(*size, 3))
    names = [layer.name for layer in model.layers]
    for name in names[1::max(1, len(names) // 6)]:
        cut = application_layers.layer(app, name)
        real = keras.Model(model.input, model.get_layer(name).output)
        assert (None, *cut.output_shape(*size, False)) == tuple(real.output_shape), name
        assert cut.params == real.count_params(), name
        assert not cut.top
    keras.backend.clear_session()


@pytest.mark.parametrize("call, layer, params_known", [
    ("MobileNetV2(include_top=False, weights=None, alpha=0.5, input_shape=(96, 96, 3))",
     "block_13_expand_relu", None),  # another architecture: no cut at all
    ("VGG16(include_top=False, weights=None, input_shape=(64, 64, 1))", "block2_conv2", False),
    ("VGG16(include_top=False, weights=None, input_shape=(64, 64, 3))", "fc1", None),  # no top
    ("VGG16(include_top=False, weights=None, input_shape=(64, 64, 3))", "block2_conv2", True),
])
def test_what_the_layer_table_does_not_say_stays_unknown(call, layer, params_known):
    from shapecheck.engine import check_source

    source = (f"import keras\nbase = keras.applications.{call}\n"
              f"cut = keras.Model(base.input, base.get_layer('{layer}').output)\n")
    report = check_source(source, "cut.py")
    assert [d.code for d in report.diagnostics] == []
    cut = [m for m in report.models if m.line == 3]
    if params_known is None:
        assert cut == [] or cut[0].output_shape is None
    else:
        assert cut[0].output_shape is not None and (cut[0].params is not None) == params_known
