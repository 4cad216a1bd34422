#!/usr/bin/env python3
"""A calculator command tool for the kill-and-resume test: evaluates the arithmetic in
`expression` and appends one line per call to $ARBOR_TEST_TOOL_LOG, so the test can check
that no call is made twice."""
import ast
import json
import operator
import os
import sys

OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
       ast.Pow: operator.pow, ast.Mod: operator.mod, ast.USub: operator.neg, ast.UAdd: operator.pos}


def evaluate(node):
    if isinstance(node, ast.Expression):
        return evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in OPS:
        return OPS[type(node.op)](evaluate(node.left), evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in OPS:
        return OPS[type(node.op)](evaluate(node.operand))
    raise ValueError("not arithmetic")


args = json.load(sys.stdin)
log = os.environ.get("ARBOR_TEST_TOOL_LOG")
if log:
    with open(log, "a") as f:
        f.write(json.dumps(args) + "\n")
try:
    json.dump({"result": evaluate(ast.parse(args["expression"].replace("^", "**"), mode="eval"))}, sys.stdout)
except Exception as error:  # the model sees the error and goes on
    json.dump({"error": str(error)}, sys.stdout)
