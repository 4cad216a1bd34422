/// ArborModel: GGUF reader, tokenizer, transformer forward pass, KV slot pool and samplers.
public enum ArborModelModule {}
