#!/usr/bin/env python3
"""Mutation check of the derivative rules (not run by CI; takes about half a minute per mutant).

Copies the tracked tree to a scratch folder, builds it once, then for every derivative rule in
autodiff/ (each gradient of autodiff/unary_ops.def and each `return` of a rule lambda in
autodiff/ops_*.cpp) makes one mutant that scales the returned gradient by 1.5, rebuilds the
library and runs the op tests. A mutant is killed when the tests fail. Prints each survivor and
the kill rate.

    /usr/bin/python3 scripts/mutate.py [--filter REGEX] [--jobs N]
"""
import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = "*test_ops_*,*test_numerics*,*test_engine*,*test_nn_layers*,*test_nn_loss*"
RULE = re.compile(r"\]\((?:[^()]*?)Node&(?: n)?, const Tensor& g(?:, std::size_t i)?\) \{")


def matching(text, i, open_ch, close_ch):
    """Index of the bracket closing the one at text[i]."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == open_ch:
            depth += 1
        elif text[j] == close_ch:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced")


def macro_args(text, i):
    """(start, end) spans of the top-level arguments of the call whose '(' is at text[i]."""
    end = matching(text, i, "(", ")")
    spans, depth, start = [], 0, i + 1
    for j in range(i + 1, end):
        if text[j] in "([{":
            depth += 1
        elif text[j] in ")]}":
            depth -= 1
        elif text[j] == "," and depth == 0:
            spans.append((start, j))
            start = j + 1
    spans.append((start, end))
    return spans


def mutants(tree):
    """(file, description, mutated text) for every rule."""
    out = []
    path = tree / "autodiff/unary_ops.def"
    text = path.read_text()
    for m in re.finditer(r"^XG_UNARY\(", text, re.M):
        spans = macro_args(text, m.end() - 1)
        name = text[spans[0][0]:spans[0][1]].strip()
        s, e = spans[3]
        out.append((path, f"unary_ops.def: {name}", text[:s] + f" ({text[s:e].strip()}) * 1.5" + text[e:]))
    for path in sorted((tree / "autodiff").glob("ops_*.cpp")):
        text = path.read_text()
        for m in RULE.finditer(text):
            body_start = m.end() - 1
            body_end = matching(text, body_start, "{", "}")
            body = text[body_start:body_end]
            if "gradient(" in body:  # the generic wrapper of unary_ops.def, mutated per op above
                continue
            line = text.count("\n", 0, body_start) + 1
            for r in re.finditer(r"return ([^;]+);", body):
                if r.group(1).count("(") != r.group(1).count(")"):  # holds a nested lambda: mutated inside
                    continue
                s, e = body_start + r.start(1), body_start + r.end(1)
                mutated = text[:s] + f"({text[s:e]}) * 1.5" + text[e:]
                out.append((path, f"{path.name}:{line}: return {text[s:e][:60]}", mutated))
    return out


def run(cmd, cwd, quiet=True):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.STDOUT if quiet else None).returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filter", default="", help="regular expression over the mutant descriptions")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--scratch", default="/tmp/xgrad-mutate")
    args = ap.parse_args()
    tree = Path(args.scratch)
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        (tree / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, tree / f)
    build = tree / "build"
    if run(["cmake", "-S", ".", "-B", "build", "-DCMAKE_BUILD_TYPE=Release", "-DXGRAD_BUILD_EXAMPLES=OFF",
            "-DXGRAD_BUILD_BENCH=OFF"], tree) or run(["cmake", "--build", "build", "-j", args.jobs], tree):
        sys.exit("the unmutated tree does not build")
    test = [str(build / "tests/xgrad_tests"), f"--source-file={TESTS}", "--no-intro", "--abort-after=1"]
    if run(test, tree):
        sys.exit("the unmutated tree fails its op tests")
    killed, survived, stillborn = 0, [], []
    todo = [m for m in mutants(tree) if re.search(args.filter, m[1])]
    for k, (path, what, text) in enumerate(todo, 1):
        original = path.read_text()
        path.write_text(text)
        try:
            if run(["cmake", "--build", "build", "--target", "xgrad", "-j", args.jobs], tree):
                stillborn.append(what)
                verdict = "does not build"
            elif run(test, tree):
                killed += 1
                verdict = "killed"
            else:
                survived.append(what)
                verdict = "SURVIVED"
        finally:
            path.write_text(original)
        print(f"[{k}/{len(todo)}] {verdict}: {what}", flush=True)
    run(["cmake", "--build", "build", "--target", "xgrad", "-j", args.jobs], tree)
    valid = len(todo) - len(stillborn)
    print(f"\n{killed} of {valid} mutants killed ({100.0 * killed / max(valid, 1):.1f}%); "
          f"{len(stillborn)} did not build")
    for s in survived:
        print("  survived:", s)


if __name__ == "__main__":
    main()
