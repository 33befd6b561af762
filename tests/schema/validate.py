#!/usr/bin/python3
"""Validates YAML files against a JSON Schema (draft 2020-12) with Debian's
python3-jsonschema, the way an editor's YAML language server reads them.

Usage: validate.py SCHEMA FILE...   prints "accept FILE" or "refuse FILE: why" for each.

YAML is read as 1.2 reads it (what reconcile's parser and yaml-language-server do):
only true and false are booleans, so `yes` or `on` stay strings.
"""
import json
import re
import sys

import jsonschema
import yaml


class Yaml12Loader(yaml.SafeLoader):
    pass


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for first in "tTfF":
    Yaml12Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [first])


def main():
    with open(sys.argv[1]) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    validator.check_schema(validator.schema)
    for path in sys.argv[2:]:
        with open(path) as f:
            document = yaml.load(f, Loader=Yaml12Loader)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(document)"
            print(f"refuse {path}: {where}: {errors[0].message}")
        else:
            print(f"accept {path}")


if __name__ == "__main__":
    main()
