#!/usr/bin/env python3
"""Checks what the resmap CLI wrote, for scripts/cli-e2e.sh.

  check-cli-output.py json SCHEMA FILE     FILE parses as JSON and matches docs/schema/SCHEMA
  check-cli-output.py svg FILE N1 [N2...]  FILE is well-formed XML with an <svg> root, and snapshot k has
                                           exactly Nk shapes for mapped pages (rect id s<k>-mapped-pte-<i>),
                                           each PTE index once
  check-cli-output.py chart FILE TEXT...   FILE is well-formed XML with an <svg> root whose text elements
                                           include each TEXT (a chart's labels)

Prints one line and exits 0 when the check holds, 1 when it does not. JSON schemas are checked with the
jsonschema package (Debian: python3-jsonschema), which scripts/install-deps.sh installs.
"""
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "docs" / "schema"


def check_json(schema_name, path):
    import jsonschema
    try:
        document = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except ValueError as e:
        return "%s is not JSON: %s" % (path, e)
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.schema.json")}
    schema = schemas[schema_name]
    try:
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        validator = jsonschema.Draft202012Validator(schema, registry=registry)
    except ImportError:  # jsonschema before 4.18 resolves references itself
        store = {s["$id"]: s for s in schemas.values()}
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        return "%s does not match %s: %s at /%s" % (path, schema_name, first.message,
                                                    "/".join(str(p) for p in first.path))
    return None


def parse_svg(path):
    """Returns (root, None) for a well-formed file with an <svg> root, else (None, the problem)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return None, "%s is not well-formed XML: %s" % (path, e)
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        return None, "%s: the root element is %s, not svg" % (path, root.tag)
    return root, None


def check_svg(path, expected):
    root, problem = parse_svg(path)
    if problem:
        return problem
    counts = {}
    for element in root.iter():
        match = re.fullmatch(r"s(\d+)-mapped-pte-(\d+)", element.get("id") or "")
        if match:
            snapshot, pte = int(match.group(1)), int(match.group(2))
            if pte in counts.setdefault(snapshot, set()):
                return "%s: snapshot %d draws PTE %d twice" % (path, snapshot, pte)
            counts[snapshot].add(pte)
    observed = [len(counts.get(k + 1, ())) for k in range(len(expected))]
    if observed != expected or any(k > len(expected) for k in counts):
        return "%s: expected %s mapped-page shapes per snapshot, observed %s" % (
            path, expected, [len(counts[k]) for k in sorted(counts)])
    return None


def check_chart(path, labels):
    root, problem = parse_svg(path)
    if problem:
        return problem
    texts = {"".join(e.itertext()).strip() for e in root.iter("{http://www.w3.org/2000/svg}text")}
    missing = [label for label in labels if label not in texts]
    if missing:
        return "%s: no text %s among %s" % (path, missing, sorted(texts))
    return None


def main(argv):
    if len(argv) >= 3 and argv[0] == "json":
        problem = check_json(argv[1], argv[2])
        what = "%s matches %s" % (argv[2], argv[1])
    elif len(argv) >= 3 and argv[0] == "svg":
        problem = check_svg(argv[1], [int(n) for n in argv[2:]])
        what = "%s is well-formed SVG with %s mapped-page shapes" % (argv[1], argv[2:])
    elif len(argv) >= 3 and argv[0] == "chart":
        problem = check_chart(argv[1], argv[2:])
        what = "%s is well-formed SVG labelled %s" % (argv[1], argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(("FAIL  " + problem) if problem else ("ok    " + what))
    return 1 if problem else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
