"""Build the real-world corpus (for bench/realworld.py) from a manifest and local git mirrors.

    python bench/make_corpus.py MANIFEST OUT [--mirrors /work/.mirror]

MANIFEST (bench/corpus.tsv) is tab-separated, ``#`` starts a comment line:

    owner/name  COMMIT  PATH    WHAT    TAGS      an entry file (.py or .ipynb) and what it is
    owner/name  COMMIT  +GLOB                     a support pattern (see below)

Every (repo, commit) is extracted into OUT/owner+name/ (OUT/owner+name@COMMIT10/ when the
manifest names the repo at more than one commit): all of its *.py, so that imports between
a project's modules resolve, or, given ``+GLOB`` lines, only the *.py matching one of them
(fnmatch: ``*`` matches ``/`` too; for a repo that would shadow an installed package).
*.py whose blobs the mirror lacks are skipped. Each listed notebook X.ipynb becomes
X.ipynb.py beside it (a name shadowing no module): its code cells joined, IPython magic
and shell lines made ``pass  # ...``, %% cell magics commented out. OUT/INDEX.tsv lists
the entries only: path relative to OUT (the .ipynb.py of a notebook), repo, commit, what,
tags. A mirror is the git directory under MIRRORS/owner+name that ``fetch`` leaves. OUT
must be new or empty; a missing mirror, commit or entry stops the script with a message.
"""

import argparse
import collections
import fnmatch
import io
import os
import re
import subprocess
import sys
import tarfile

import nbformat


def fail(message):
    sys.exit(f"make_corpus: {message}")


def git(gitdir, *args, **options):
    return subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True, **options)


def git_dir(mirrors, repo):
    """The git directory under MIRRORS/owner+name (itself, or a repo/ or .git inside it)."""
    top = os.path.join(mirrors, repo.replace("/", "+"))
    for candidate in (top, f"{top}/repo", f"{top}/.git", f"{top}/repo/.git"):
        if os.path.isdir(f"{candidate}/objects") and os.path.isfile(f"{candidate}/HEAD"):
            return candidate
    fail(f"no mirror of {repo} (looked for a git directory under {top})")


def read_manifest(path):
    """{(repo, commit): {"entries": [(path, what, tags)], "globs": [glob]}} in manifest order."""
    repos = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 3 or not fields[2]:
                fail(f"{path}:{number}: expected repo, commit and path (tab-separated)")
            repo, commit, where = fields[:3]
            item = repos.setdefault((repo, commit), {"entries": [], "globs": []})
            if where.startswith("+"):
                item["globs"].append(where[1:])
            else:
                what, tags = (fields[3:] + ["", ""])[:2]
                item["entries"].append((where, what, tags))
    return repos


def notebook_source(data):
    """The code cells of a notebook (bytes) as a Python program."""
    cells = []
    for cell in nbformat.reads(data.decode("utf-8"), as_version=4).cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        lines, continued = cell.source.splitlines(), False
        first = next(line for line in lines if line.strip())  # IPython drops its indent
        pad = first[:len(first) - len(first.lstrip())]
        lines = [line[len(pad):] if line.startswith(pad) else line for line in lines]
        whole = lines[0].startswith("%%") and lines[0].split()[0] not in ("%%capture", "%%time", "%%timeit")
        for i, text in enumerate(lines):
            stripped = text.lstrip()
            magic = stripped[:1] == "!" or re.match(r"%%?[A-Za-z]", stripped) is not None
            if whole or continued:  # a %% cell magic's body, or a magic's continued line
                lines[i] = f"# {text}"
            elif magic:
                lines[i] = f"{text[:len(text) - len(stripped)]}pass  # {stripped}"
            continued = (magic or continued) and not whole and text.endswith("\\")
        cells.append("\n".join(lines))
    return "\n\n\n".join(cells) + "\n"


def write(folder, path, data):
    os.makedirs(os.path.dirname(os.path.join(folder, path)), exist_ok=True)
    with open(os.path.join(folder, path), "wb") as handle:
        handle.write(data)


def extract(gitdir, repo, commit, item, folder):
    """Write the repo's support *.py and entries into folder; the entries' paths there."""
    if git(gitdir, "cat-file", "-e", f"{commit}^{{commit}}").returncode:
        fail(f"commit {commit} of {repo} is not in its mirror {gitdir}")
    listing = git(gitdir, "ls-tree", "-r", "-z", commit, check=True).stdout.decode()
    blobs = {}  # path: object id
    for line in filter(None, listing.split("\0")):
        meta, path = line.split("\t", 1)
        blobs[path] = meta.split()[2]
    check = git(gitdir, "cat-file", "--batch-check", input="\n".join(blobs.values()).encode())
    missing = {line.split()[0] for line in check.stdout.decode().splitlines()
               if line.endswith(" missing")}
    for path, _, _ in item["entries"]:
        if blobs.get(path, "") in missing or path not in blobs:
            fail(f"{path} is not in {repo} at {commit} (or its blob is not in the mirror)")
    support = {name for name in blobs if name.endswith(".py") and any(
        fnmatch.fnmatchcase(name, glob) for glob in item["globs"] or ["*"])}
    absent = {name for name in support if blobs[name] in missing}
    wanted = sorted(support - absent | {path for path, _, _ in item["entries"]})
    archive = git(gitdir, "archive", "--format=tar", commit, "--",
                  *(f":(literal){name}" for name in wanted))
    if archive.returncode:
        fail(f"git archive of {repo} at {commit}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        files = {member.name: tar.extractfile(member).read() for member in tar if member.isfile()}
    written = [path for path in files if path.endswith(".py")]
    for path in written:
        write(folder, path, files[path])
    entries, converted = [], 0
    for path, what, tags in item["entries"]:
        if path not in files:
            fail(f"{path} in {repo} at {commit} is not a regular file")
        if path.endswith(".ipynb"):
            out = path + ".py"
            write(folder, out, notebook_source(files[path]).encode("utf-8"))
            path, converted = out, converted + 1
        entries.append((path, what, tags))
    print(f"{repo} @ {commit[:10]}: {len(written)} .py files, {len(entries)} entries"
          f" ({converted} notebooks converted) -> {os.path.basename(folder)}"
          + (f"; {len(absent)} .py missing from the mirror, skipped" if absent else ""))
    return entries, converted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("out")
    parser.add_argument("--mirrors", default="/work/.mirror")
    args = parser.parse_args(argv)
    repos = read_manifest(args.manifest)
    if os.path.isdir(args.out) and os.listdir(args.out):
        fail(f"{args.out} is not empty (remove it first)")
    commits = collections.Counter(repo for repo, _ in repos)
    gitdirs = {repo: git_dir(args.mirrors, repo) for repo in commits}  # all found, or stop now
    rows, notebooks = [], 0
    for (repo, commit), item in repos.items():
        name = repo.replace("/", "+") + (f"@{commit[:10]}" if commits[repo] > 1 else "")
        entries, converted = extract(gitdirs[repo], repo, commit, item,
                                     os.path.join(args.out, name))
        notebooks += converted
        rows += [(f"{name}/{path}", repo, commit, what, tags) for path, what, tags in entries]
    with open(os.path.join(args.out, "INDEX.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# path\trepo\tcommit\twhat\ttags\n")
        handle.writelines("\t".join(row) + "\n" for row in rows)
    print(f"{len(repos)} repo commits, {len(rows)} entries ({notebooks} notebooks converted)"
          f" -> {os.path.join(args.out, 'INDEX.tsv')}")


if __name__ == "__main__":
    main()
