// Dev-time oracle: reads hex-encoded texts, one per line, prints llama.cpp token ids.
#include "llama.h"
#include <cstdio>
#include <string>
#include <vector>
#include <iostream>
int main(int argc, char ** argv) {
    llama_backend_init();
    auto mp = llama_model_default_params();
    mp.vocab_only = true;
    llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) return 1;
    const llama_vocab * vocab = llama_model_get_vocab(model);
    bool parse_special = argc > 2 && std::string(argv[2]) == "1";
    std::string line;
    while (std::getline(std::cin, line)) {
        std::string text;
        for (size_t i = 0; i + 1 < line.size(); i += 2) text.push_back((char) std::stoi(line.substr(i, 2), nullptr, 16));
        std::vector<llama_token> toks(text.size() + 16);
        int n = llama_tokenize(vocab, text.data(), text.size(), toks.data(), toks.size(), false, parse_special);
        if (n < 0) { toks.resize(-n); n = llama_tokenize(vocab, text.data(), text.size(), toks.data(), toks.size(), false, parse_special); }
        printf("[");
        for (int i = 0; i < n; i++) printf(i ? ", %d" : "%d", toks[i]);
        printf("]\n");
    }
    return 0;
}
