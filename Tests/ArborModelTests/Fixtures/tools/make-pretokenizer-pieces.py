# Development-time generator of pretokenizer-pieces.jsonl: splits random and hand-picked texts with
# the Python `regex` module using the exact patterns llama.cpp lists for qwen2 and smollm
# (unmatched gaps kept as pieces, as llama.cpp does). Run: python3 make-pretokenizer-pieces.py
import regex, random, json
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"
def split(pattern, text):
    out=[]; pos=0
    for m in regex.finditer(pattern, text):
        if m.start()>pos: out.append(text[pos:m.start()])
        if m.end()>m.start(): out.append(m.group())
        pos=m.end()
    if pos<len(text): out.append(text[pos:])
    return out
def smollm(text):
    out=[]
    for chunk in split(r"\p{N}", text):
        out.extend(split(GPT2, chunk))
    return out
pool = list("aZq xy  \t\n\r\n'sStTrRevVmMlLdD0123456789.,!?-_()[]{}\"\\/#$%^&*+=<>|~`@;:") + \
    ["é","ñ","ß","Ж","я","α","日","本","語","の","ア","中","文","🚀","🌲","👍🏽","\u200d","\u0301","\u0308","\u00a0","\u3000","\u2028","\u0085",
     "\u000b","\u000c","٣","²","½","Ⅻ","क","्","ि","ـ","،","“","”","’","—","…","€","©","\u200b","\ufeff","Ａ","１","ǅ","ʰ","x"]
random.seed(1234)
cases=[]
fixed=["", " ", "  ", "\n", "don't  stop", "Hello\n\n  world", "I'M HERE 'LL 'Re", "a  \n b", "x\t\ty", "  \n\t  mixed   whitespace  ",
 "1234567890 3.14159 -42", "café naïve", "🚀🌲 emoji", "(word) [x] ", "e\u0301cole", "tab\tand\ttab", "a\u00a0b", "a\u3000\u3000b", "end  ", "''s", "'", "x'", "\r\n\r\nx", "  \r\n  y", "?!\n\nz"]
for t in fixed: cases.append(t)
for i in range(1500):
    n=random.randint(1,24)
    cases.append("".join(random.choice(pool) for _ in range(n)))
with open("pretokenizer-pieces.jsonl","w") as f:
    for t in cases:
        f.write(json.dumps({"text":t,"qwen2":split(QWEN2,t),"smollm":smollm(t)}, ensure_ascii=False)+"\n")
print(len(cases))
