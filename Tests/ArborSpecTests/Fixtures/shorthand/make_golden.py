#!/usr/bin/env python3
"""Writes the golden JSON Schemas the shorthand compiler is tested against.

Each case pairs a shorthand declaration (the JSON form of what a workflow author writes in
YAML) with a hand-written Pydantic v2 model that means the same thing. The Pydantic model's
`model_json_schema()` (or `TypeAdapter(T).json_schema()` for a bare type) is the expected
output. Run from anywhere with Pydantic 2 installed:

    python3 Tests/ArborSpecTests/Fixtures/shorthand/make_golden.py

It rewrites golden/*.json next to this script; commit the result.
"""
import json
import os
import textwrap

import pydantic
from pydantic import BaseModel

HEADER = """
from __future__ import annotations
import datetime, uuid
from typing import Annotated, Any, Literal, Optional
from pydantic import BaseModel, Field, TypeAdapter
"""

CASES = [
    ("scalars", "Output", {}, {"name": "str", "count": "int", "ratio": "float", "done": "bool"}, """
class Output(BaseModel):
    name: str
    count: int
    ratio: float
    done: bool
"""),
    ("bounded_numbers", "Output", {}, {"score": "int[0,10]", "confidence": "float[0,1]", "weight": "float[0.5, 2.5]",
                                       "at_least_one": "int[1,]", "at_most_ten": "int[,10]"}, """
class Output(BaseModel):
    score: Annotated[int, Field(ge=0, le=10)]
    confidence: Annotated[float, Field(ge=0, le=1)]
    weight: Annotated[float, Field(ge=0.5, le=2.5)]
    at_least_one: Annotated[int, Field(ge=1)]
    at_most_ten: Annotated[int, Field(le=10)]
"""),
    ("lists", "Output", {}, {"tags": "list[str]", "matrix": "list[list[int]]", "scores": "list[int[0,5]]",
                             "anything": "list[any]"}, """
class Output(BaseModel):
    tags: list[str]
    matrix: list[list[int]]
    scores: list[Annotated[int, Field(ge=0, le=5)]]
    anything: list[Any]
"""),
    ("optionals", "Output", {}, {"note": "Optional[str]", "maybe_count": {"type": "Optional[int]", "default": None},
                                 "maybe_tags": "Optional[list[str]]", "tags_or_none": "list[Optional[str]]"}, """
class Output(BaseModel):
    note: Optional[str]
    maybe_count: Optional[int] = None
    maybe_tags: Optional[list[str]]
    tags_or_none: list[Optional[str]]
"""),
    ("literals", "Output", {}, {"status": 'Literal["open", "closed"]', "kind": "Literal['only']",
                                "level": "Literal[1, 2, 3]", "flag": "Literal[true]", "mixed": 'Literal["a", 1]'}, """
class Output(BaseModel):
    status: Literal["open", "closed"]
    kind: Literal["only"]
    level: Literal[1, 2, 3]
    flag: Literal[True]
    mixed: Literal["a", 1]
"""),
    ("dicts", "Output", {}, {"counts": "dict[str, int]", "meta": "dict[str, any]", "groups": "dict[str, list[str]]"}, """
class Output(BaseModel):
    counts: dict[str, int]
    meta: dict[str, Any]
    groups: dict[str, list[str]]
"""),
    ("formats_and_any", "Output", {}, {"when": "datetime", "day": "date", "at": "time", "id": "uuid", "payload": "any"}, """
class Output(BaseModel):
    when: datetime.datetime
    day: datetime.date
    at: datetime.time
    id: uuid.UUID
    payload: Any
"""),
    ("long_form_options", "Output", {}, {
        "question": {"type": "str", "description": "The question to answer"},
        "depth": {"type": "int[1,5]", "default": 3, "description": "How deep to go"},
        "code": {"type": "str", "pattern": "^[A-Z]{3}-\\d+$", "min_length": 5, "max_length": 12},
        "items": {"type": "list[str]", "min_length": 1, "max_length": 3},
        "price": {"type": "float", "gt": 0, "lt": 1000, "multiple_of": 0.01},
        "label": {"type": "str", "title": "Custom Label", "examples": ["a", "b"]},
        "maybe_code": {"type": "Optional[str]", "pattern": "^x", "default": None},
    }, """
class Output(BaseModel):
    question: str = Field(description="The question to answer")
    depth: Annotated[int, Field(ge=1, le=5)] = Field(default=3, description="How deep to go")
    code: str = Field(pattern=r"^[A-Z]{3}-\\d+$", min_length=5, max_length=12)
    items: list[str] = Field(min_length=1, max_length=3)
    price: float = Field(gt=0, lt=1000, multiple_of=0.01)
    label: str = Field(title="Custom Label", examples=["a", "b"])
    maybe_code: Optional[str] = Field(default=None, pattern="^x")
"""),
    ("field_titles", "Output", {}, {"line_items": "str", "url2x": "str", "myField": "str", "_private_ish": "str",
                                    "HTTPStatus": "int"}, """
class Output(BaseModel):
    line_items: str
    url2x: str
    myField: str
    private_ish: str = Field(alias="_private_ish")
    HTTPStatus: int
"""),
    ("named_types", "Answer", {"Source": {"url": "str", "title": {"type": "Optional[str]", "default": None}}}, {
        "summary": "str", "sources": "list[Source]", "best": "Source", "backup": {"type": "Optional[Source]", "default": None},
        "described": {"type": "Source", "description": "The main source"},
    }, """
class Source(BaseModel):
    url: str
    title: Optional[str] = None
class Answer(BaseModel):
    summary: str
    sources: list[Source]
    best: Source
    backup: Optional[Source] = None
    described: Source = Field(description="The main source")
"""),
    ("recursive_type", "Output", {"Node": {"label": "str", "children": {"type": "list[Node]", "default": []}}}, {
        "tree": "Node"}, """
class Node(BaseModel):
    label: str
    children: list[Node] = []
class Output(BaseModel):
    tree: Node
"""),
    ("mutually_recursive", "Output", {"Folder": {"name": "str", "files": "list[File]"},
                                      "File": {"name": "str", "parent": "Optional[Folder]"}}, {"root": "Folder"}, """
class Folder(BaseModel):
    name: str
    files: list[File]
class File(BaseModel):
    name: str
    parent: Optional[Folder]
class Output(BaseModel):
    root: Folder
"""),
    ("unused_types_left_out", "Output", {"Used": {"a": "int"}, "Unused": {"b": "int"}}, {"x": "Used"}, """
class Used(BaseModel):
    a: int
class Output(BaseModel):
    x: Used
"""),
    ("type_alias", "Output", {"Status": 'Literal["ok", "failed"]', "Score": "int[0,100]"}, {
        "status": "Status", "scores": "list[Score]"}, """
class Output(BaseModel):
    status: Literal["ok", "failed"]
    scores: list[Annotated[int, Field(ge=0, le=100)]]
"""),
    ("nested_objects", "Invoice", {}, {
        "number": "str",
        "vendor": {"name": "str", "address": {"street": "str", "city": "str"}},
        "total": "float",
    }, """
class Address(BaseModel):
    street: str
    city: str
class Vendor(BaseModel):
    name: str
    address: Address
class Invoice(BaseModel):
    number: str
    vendor: Vendor
    total: float
"""),
    ("long_form_nested_type", "Output", {}, {
        "meta": {"type": {"type": "str", "description": "str"}, "description": "Metadata"}}, """
class Meta(BaseModel):
    type: str
    description: str
class Output(BaseModel):
    meta: Meta = Field(description="Metadata")
"""),
    ("nested_name_collisions", "Output", {"Source": {"url": "str"}}, {
        "home": {"address": {"city": "str"}}, "work": {"address": {"street": "str"}},
        "source": {"note": "str"}, "main": "Source"}, """
class Address(BaseModel):
    city: str
class Home(BaseModel):
    address: Address
class Address2(BaseModel):
    street: str
class Work(BaseModel):
    address: Address2
class Source(BaseModel):
    url: str
class Source2(BaseModel):
    note: str
class Output(BaseModel):
    home: Home
    work: Work
    source: Source2
    main: Source
"""),
    ("optional_model_with_constraints_elsewhere", "Output", {"Point": {"x": "float", "y": "float"}}, {
        "origin": {"type": "Optional[Point]", "default": None, "description": "Where to start"},
        "path": {"type": "list[Point]", "min_length": 2, "max_length": 100},
        "names": {"type": "dict[str, Optional[str]]", "default": {}},
    }, """
class Point(BaseModel):
    x: float
    y: float
class Output(BaseModel):
    origin: Optional[Point] = Field(default=None, description="Where to start")
    path: list[Point] = Field(min_length=2, max_length=100)
    names: dict[str, Optional[str]] = {}
"""),
    ("empty_model", "Empty", {}, {}, """
class Empty(BaseModel):
    pass
"""),
    ("all_defaults", "Settings", {}, {"verbose": {"type": "bool", "default": False},
                                      "names": {"type": "list[str]", "default": ["a"]}}, """
class Settings(BaseModel):
    verbose: bool = False
    names: list[str] = ["a"]
"""),
    ("root_named_model", None, {"Source": {"url": "str"}, "Report": {"title": "str", "sources": "list[Source]"}},
     "Report", """
class Source(BaseModel):
    url: str
class Report(BaseModel):
    title: str
    sources: list[Source]
SCHEMA = 'Report.model_json_schema()'
"""),
    ("root_recursive_model", None, {"Node": {"label": "str", "children": "list[Node]"}}, "Node", """
class Node(BaseModel):
    label: str
    children: list[Node]
SCHEMA = 'Node.model_json_schema()'
"""),
    ("root_list_of_models", None, {"Source": {"url": "str"}}, "list[Source]", """
class Source(BaseModel):
    url: str
SCHEMA = 'TypeAdapter(list[Source]).json_schema()'
"""),
    ("root_scalar", None, {}, "int[0,10]", """
SCHEMA = 'TypeAdapter(Annotated[int, Field(ge=0, le=10)]).json_schema()'
"""),
    ("root_optional_literal", None, {}, 'Optional[Literal["yes", "no"]]', """
SCHEMA = 'TypeAdapter(Optional[Literal["yes", "no"]]).json_schema()'
"""),
]


def main() -> None:
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
    os.makedirs(out_dir, exist_ok=True)
    for name, title, types, declaration, source in CASES:
        namespace: dict = {}
        exec(HEADER + textwrap.dedent(source), namespace)
        for value in list(namespace.values()):
            if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
                value.model_rebuild(_types_namespace=namespace)
        if "SCHEMA" in namespace:
            expected = eval(namespace["SCHEMA"], namespace)
        else:
            expected = namespace[title].model_json_schema()
        case = {"pydantic": pydantic.VERSION, "title": title, "types": types,
                "declaration": declaration, "expected": expected}
        with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
            json.dump(case, f, indent=2)
            f.write("\n")
    print(f"wrote {len(CASES)} cases to {out_dir}")


if __name__ == "__main__":
    main()
