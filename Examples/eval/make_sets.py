#!/usr/bin/env python3
"""Writes the eval sets word-problems.jsonl and unit-conversions.jsonl and checks them.

Every problem is written here with the Python expression of its answer, so the expected
value is computed, never typed. Run it again after editing a problem:
    python3 Examples/eval/make_sets.py
"""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))

# (template, values, answer expression over the values) — two arithmetic steps each.
WORD = [
    ("{a} buys {n} pens at ${p} each and {m} notebooks at ${q} each. How many dollars does {a} spend?", "n*p+m*q"),
    ("A farmer has {n} rows of apple trees with {p} trees in each row. He plants {m} more trees. How many trees does he have now?", "n*p+m"),
    ("{a} had ${n}. She spent ${p} on a book and ${q} on lunch. How many dollars does she have left?", "n-p-q"),
    ("A box holds {n} chocolates. {a} buys {m} boxes and eats {p} chocolates. How many chocolates are left?", "n*m-p"),
    ("A train travels {n} km per hour for {m} hours, then {p} km more. How many km does it travel in total?", "n*m+p"),
    ("{a} reads {n} pages a day for {m} days. The book has {q} pages. How many pages are left to read?", "q-n*m"),
    ("A class of {n} students is split into groups of {m}. Each group gets {p} markers. How many markers are needed?", "n//m*p"),
    ("A baker makes {n} trays of {m} cookies and sells {p} cookies. How many cookies remain?", "n*m-p"),
    ("{a} earns ${n} an hour and works {m} hours. After paying ${p} for bus fare, how many dollars does {a} keep?", "n*m-p"),
    ("A shop sells {n} shirts on Monday and {m} times as many on Tuesday. How many shirts does it sell on both days together?", "n+n*m"),
    ("There are {n} cars in a lot, each with {m} wheels, and {p} bicycles with 2 wheels each. How many wheels are there?", "n*m+p*2"),
    ("{a} saves ${n} each week for {m} weeks, then buys a game for ${p}. How many dollars are left?", "n*m-p"),
    ("A garden is {n} m long and {m} m wide. A path of {p} square metres is paved. How many square metres are not paved?", "n*m-p"),
    ("{q} liters of juice are poured equally into {m} jugs, and {a} drinks {p} liters from one jug. How many liters are left in that jug?", "q/m-p"),
    ("A school orders {n} packs of {m} pencils. {p} pencils are broken. How many pencils can be used?", "n*m-p"),
    ("{a} runs {n} km every day for {m} days and {p} km on the last day. How many km does {a} run in all?", "n*m+p"),
    ("Tickets cost ${n} for adults and ${m} for children. How many dollars do {p} adults and {q} children pay?", "n*p+m*q"),
    ("A tank holds {q} liters. It is filled at {n} liters per minute for {m} minutes. How many more liters fit in the tank?", "q-n*m"),
    ("{a} has {n} marbles and gives {p} to each of {m} friends. How many marbles does {a} keep?", "n-p*m"),
    ("A printer prints {n} pages a minute. How many pages does it print in {m} minutes if it is stopped for {p} of those minutes?", "n*(m-p)"),
    ("Each of {n} boxes weighs {m} kg. A crate weighs {p} kg when empty. How many kg does the crate weigh with all the boxes in it?", "n*m+p"),
    ("{a} bought {n} kg of rice for ${q}. How many dollars do {m} kg cost at the same price?", "q/n*m"),
    ("A bus carries {n} people. At the first stop {m} get off and {p} get on. How many people are on the bus now?", "n-m+p"),
    ("A phone costs ${q}. It is sold at ${p} off, and {a} pays in {m} equal parts. How many dollars is each part?", "(q-p)/m"),
    ("{a} plants {n} flowers in each of {m} pots, but {p} flowers die. How many flowers are alive?", "n*m-p"),
    ("A movie is {n} minutes long. {a} watches it {m} times and then {p} more minutes of another film. How many minutes is that?", "n*m+p"),
    ("A team scored {n} points in each of {m} games and {p} points in the final. What was the total score?", "n*m+p"),
    ("{a} pays ${q} for {n} identical toys and gets ${p} back as a refund on one of them. How many dollars did {a} pay in the end?", "q-p"),
    ("A factory makes {n} bottles an hour for {m} hours; {p} are faulty. How many good bottles does it make?", "n*m-p"),
    ("{a} walks {n} meters to school and back every day. How many meters does {a} walk in {m} days?", "n*2*m"),
]

NAMES = ["Tom", "Ana", "Li", "Sara", "Omar", "Mia", "Ravi", "Eva", "Ben", "Nora"]
# two value sets per template; q is the larger quantity where a template subtracts from it
VALUES = [
    dict(n=8, m=2, p=7, q=5), dict(n=12, m=3, p=4, q=9),
    dict(n=6, m=4, p=15, q=200), dict(n=9, m=5, p=7, q=300),
]

def word_problems():
    cases = []
    for i, (template, expr) in enumerate(WORD):
        for j in range(2):
            v = dict(VALUES[(i + j) % len(VALUES)])
            v = {k: val + (i % 3) for k, val in v.items()}   # vary numbers between templates
            if "q-" in expr or "q/" in expr:
                v["q"] = v["n"] * v["m"] * (3 + j) + 60 * (j + 1)
                if "q/n" in expr: v["q"] = v["n"] * (5 + i % 4)
                if "q/m" in expr: v["q"] = v["m"] * (v["p"] + 2 + j)
                if "(q-p)/m" in expr: v["q"] = v["m"] * 40 + v["p"]
            if expr == "n-p-q": v["n"] = v["p"] + v["q"] + 20 + 7 * j
            if expr == "n-p*m": v["n"] = v["p"] * v["m"] + 11 + j
            if expr == "n//m*p": v["n"] = v["m"] * (6 + j)
            if expr == "n*(m-p)": v["m"], v["p"] = v["m"] + 10, v["p"] % 5 + 1
            if expr == "n-m+p": v["n"] = v["n"] + 30
            v["a"] = NAMES[(2 * i + j) % len(NAMES)]
            answer = eval(expr, {}, dict(v))
            assert answer >= 0, (template, v, answer)
            if isinstance(answer, float) and answer.is_integer(): answer = int(answer)
            cases.append({"name": f"wp-{len(cases) + 1:03d}", "inputs": {"problem": template.format(**v)},
                          "expected": answer, "tolerance": 0.01})
    return cases

# Unit conversions, with the factors Arbor's unit_convert uses.
F = dict(mi=1609.344, km=1000, m=1, ft=0.3048, inch=0.0254, cm=0.01, yd=0.9144,
         lb=0.45359237, kg=1, g=0.001, oz=0.028349523125, h=3600, min=60, s=1, d=86400, wk=604800,
         B=1, kB=1e3, MB=1e6, GB=1e9, KiB=1024, MiB=1048576, GiB=1073741824)
def conv(x, a, b): return x * F[a] / F[b]
def c2f(c): return c * 9 / 5 + 32
def f2c(f): return (f - 32) * 5 / 9

UNITS = [
    ("A runner does {n} laps of {x} miles each. How many kilometers is that in total?", lambda v: conv(v["n"] * v["x"], "mi", "km")),
    ("A rope is {x} feet long. {n} such ropes are tied end to end. How many meters long is the result?", lambda v: conv(v["n"] * v["x"], "ft", "m")),
    ("A bag of flour weighs {x} pounds. How many kilograms do {n} bags weigh?", lambda v: conv(v["n"] * v["x"], "lb", "kg")),
    ("A video lasts {x} minutes. How many hours do {n} such videos last?", lambda v: conv(v["n"] * v["x"], "min", "h")),
    ("A file is {y} MB. How many GB do {n} such files take?", lambda v: conv(v["n"] * v["y"], "MB", "GB")),
    ("The temperature is {t} degrees Celsius and rises by {n} degrees. What is the new temperature in Fahrenheit?", lambda v: c2f(v["t"] + v["n"])),
    ("A board is {x} inches long. {a} cuts off {n} inches. How many centimeters long is the rest?", lambda v: conv(v["x"] - v["n"], "inch", "cm")),
    ("A parcel weighs {x} kg and its box {n} kg. How many pounds do they weigh together?", lambda v: conv(v["x"] + v["n"], "kg", "lb")),
    ("A cyclist rides {x} km a day for {n} days. How many miles is that?", lambda v: conv(v["x"] * v["n"], "km", "mi")),
    ("A recipe needs {x} ounces of sugar per cake. How many grams are needed for {n} cakes?", lambda v: conv(v["x"] * v["n"], "oz", "g")),
    ("A project takes {n} hours a day for {x} days. How many minutes is that?", lambda v: conv(v["x"] * v["n"], "h", "min")),
    ("A fence has {n} sections of {x} yards each. How many meters long is the fence?", lambda v: conv(v["n"] * v["x"], "yd", "m")),
    ("An oven is at {t} degrees Fahrenheit and is turned down by {n} degrees. What is the new temperature in Celsius?", lambda v: f2c(v["t"] - v["n"])),
    ("A trip takes {x} days and {n} more days on the way back. How many weeks is the whole trip?", lambda v: conv(v["x"] + v["n"], "d", "wk")),
    ("A disk holds {x} GiB and {n} GiB of it are used. How many MiB are free?", lambda v: conv(v["x"] - v["n"], "GiB", "MiB")),
    ("A swimmer swims {n} lengths of a {x} meter pool. How many feet is that?", lambda v: conv(v["n"] * v["x"], "m", "ft")),
    ("A truck carries {n} crates of {x} pounds each. How many kilograms is the load?", lambda v: conv(v["n"] * v["x"], "lb", "kg")),
    ("A song is {x} seconds long. How many minutes do {n} songs last?", lambda v: conv(v["n"] * v["x"], "s", "min")),
    ("A hiker walks {x} miles in the morning and {n} miles in the afternoon. How many kilometers is that?", lambda v: conv(v["x"] + v["n"], "mi", "km")),
    ("A photo is {x} kB. How many MB do {n} photos take?", lambda v: conv(v["n"] * v["x"], "kB", "MB")),
    ("A shelf is {x} centimeters long. How many inches long are {n} shelves placed side by side?", lambda v: conv(v["n"] * v["x"], "cm", "inch")),
    ("A dog eats {x} grams of food a day. How many pounds does it eat in {n} days?", lambda v: conv(v["n"] * v["x"], "g", "lb")),
    ("A meeting lasts {x} minutes and the break {n} minutes. How many seconds is that in total?", lambda v: conv(v["x"] + v["n"], "min", "s")),
    ("A road is {x} km long and {n} km of it are repaired. How many miles are not repaired?", lambda v: conv(v["x"] - v["n"], "km", "mi")),
    ("Water is at {t} degrees Celsius and cools by {n} degrees. What is its temperature in Fahrenheit?", lambda v: c2f(v["t"] - v["n"])),
    ("A baby weighs {x} pounds at birth and gains {n} pounds. How many kilograms does the baby weigh now?", lambda v: conv(v["x"] + v["n"], "lb", "kg")),
    ("A course has {n} lessons of {x} minutes each. How many hours is the course?", lambda v: conv(v["n"] * v["x"], "min", "h")),
    ("A pool is {x} feet deep at one end and {n} feet deeper at the other. How many meters deep is the deep end?", lambda v: conv(v["x"] + v["n"], "ft", "m")),
    ("A car drives {x} miles on Monday and {n} miles on Tuesday. How many kilometers does it drive on both days?", lambda v: conv(v["x"] + v["n"], "mi", "km")),
    ("A parcel of {x} ounces gets {n} ounces of packing. How many grams does it weigh?", lambda v: conv(v["x"] + v["n"], "oz", "g")),
]
UVALUES = [dict(n=3, x=2.5, t=20, a="Ana"), dict(n=4, x=12, t=35, a="Omar"), dict(n=6, x=40, t=68, a="Li"), dict(n=5, x=150, t=212, a="Mia")]

def unit_conversions():
    cases = []
    for i, (template, fn) in enumerate(UNITS):
        for j in range(2):
            v = dict(UVALUES[(i + 2 * j) % len(UVALUES)])
            if "t}" in template:
                v["t"] = [20, 35, 25, 10][(i + j) % 4] if "Celsius and" in template else [350, 425, 400, 375][(i + j) % 4]
            if "- v[\"n\"]" in template or "cuts off" in template or "used" in template or "repaired" in template:
                v["x"] = max(v["x"], v["n"] + 10)
            v["y"] = int(v["x"] * 100)
            raw = fn(v)
            assert raw > 0, (template, v)
            answer = round(raw, 2)
            cases.append({"name": f"uc-{len(cases) + 1:03d}",
                          "inputs": {"problem": template.format(**v) + " Round to 2 decimal places."},
                          "expected": answer, "tolerance": round(max(0.01, 0.005 * abs(answer)), 4)})
    return cases

def write(name, cases):
    names = set()
    with open(os.path.join(HERE, name), "w") as out:
        for case in cases:
            assert case["name"] not in names
            names.add(case["name"])
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{name}: {len(cases)} cases")

if __name__ == "__main__":
    w, u = word_problems(), unit_conversions()
    assert len(w) >= 60 and len(u) >= 60, (len(w), len(u))
    write("word-problems.jsonl", w)
    write("unit-conversions.jsonl", u)
