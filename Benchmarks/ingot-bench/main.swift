import IngotPipeline
print("ingot-bench")
