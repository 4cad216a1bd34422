# Development-time generator of ../tokenizer-edge-cases.jsonl: runs llama.cpp (the llama-cpp-python
# 0.3.36 vendored copy the reference files came from) through oracle.cpp on hand-picked and random
# texts. Build: g++ -O1 -std=c++17 oracle.cpp -I<llama.cpp>/include -I<llama.cpp>/ggml/include
#   <build>/src/libllama.a <build>/ggml/src/libggml.a <build>/ggml/src/libggml-cpu.a
#   <build>/ggml/src/libggml-base.a -lpthread -fopenmp -o oracle; then python3 gen_edge.py.
import random, json, subprocess, sys
random.seed(20261123)
SMOL="/work/main/models/SmolLM2-135M-Instruct.Q4_1.gguf"
QWEN="/work/main/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
pool = list("aZq xy  \t\n\r'sStTrRevVmMlLdD0123456789.,!?-_()[]{}\"\\/#$%^&*+=<>|~`@;:") + \
    ["é","ñ","ß","Ж","я","α","日","本","語","の","ア","中","文","🚀","🌲","👍🏽","\u200d","\u0301","\u0308","\u00a0","\u3000","\u2028","\u0085",
     "\u000b","\u000c","\u001c","\u001f","\u0000","\u007f","٣","²","½","Ⅻ","क","्","ि","ـ","،","“","”","’","—","…","€","©","\u200b","\ufeff","Ａ","１","ǅ","ʰ",
     "<|im_start|>","<|im_end|>","<|endoftext|>","<tool_call>","</tool_call>","<|fim_prefix|>","<repo_name>","<|im_start","im_end|>","  ","\n\n","    ", "'s", "'LL", "http://", "0x1F", "🏳️‍🌈"]
def rand_cp():
    while True:
        r=random.random()
        cp = random.randint(0x80,0x2FFF) if r<0.5 else random.randint(0x3000,0xFFFF) if r<0.85 else random.randint(0x10000,0x2FFFF)
        if not (0xD800<=cp<=0xDFFF): return chr(cp)
cases=[]
fixed=["", " ", "\u0085x", "a\u001cb", "a \u001c b", "x\u00a0\u00a0y", "\u2028\u2028z", "  \u3000a", "a'S'T'RE'VE'M'LL'D", "'", "x'", "'' '",
       "<|im_start|><|im_start|>", "<|im_start|>user<|im_end|>", " <|im_end|> ", "<|im_end|>\n", "\r\n\r\n", "1\u0661\u00b2\u2162", "aa\u0301\u0301", "👨‍👩‍👧‍👦", "\ufeffBOM"]
cases += fixed
for i in range(900):
    n=random.randint(1,20)
    parts=[]
    for _ in range(n):
        parts.append(rand_cp() if random.random()<0.25 else random.choice(pool))
    cases.append("".join(parts))
def run(model, special, texts):
    inp = "".join(t.encode('utf-8').hex()+"\n" for t in texts)
    out = subprocess.run(["./oracle", model, "1" if special else "0"], input=inp.encode(), capture_output=True).stdout.decode().splitlines()
    assert len(out)==len(texts), (len(out), len(texts))
    return [json.loads(l) for l in out]
with open("tokenizer-edge-cases.jsonl","w") as f:
    for special in (True, False):
        s = run(SMOL, special, cases); q = run(QWEN, special, cases)
        for t, a, b in zip(cases, s, q):
            f.write(json.dumps({"text": t, "parse_special": special, "smollm2": a, "qwen2": b}, ensure_ascii=False)+"\n")
print(len(cases)*2)
