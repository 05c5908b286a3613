import IngotPipeline
print("ingot")
