"""Import this before creating `llama_cpp.Llama` in any peer/oracle script.

llama-cpp-python (PyPI, compiled here with GGML_NATIVE) enables ggml's AMX "extra buffer" kernels when the CPU
advertises amx_tile; on virtual machines whose kernel does not grant the AMX tile state, the first quantized matmul
dies with SIGILL (`tilezero` in ggml_backend_amx_mul_mat). Turning off the extra buffer types
(`llama_model_params.use_extra_bufts = False`) keeps llama.cpp on its AVX2/AVX-512 kernels, which give the same
results as llama-perplexity's default CPU path.
"""
import llama_cpp
import llama_cpp.llama as _llama

_default_params = llama_cpp.llama_model_default_params


def _params_without_extra_buffers():
    p = _default_params()
    p.use_extra_bufts = False
    return p


llama_cpp.llama_model_default_params = _params_without_extra_buffers
_llama.llama_cpp.llama_model_default_params = _params_without_extra_buffers
