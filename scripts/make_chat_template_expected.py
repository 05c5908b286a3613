#!/usr/bin/env python3
"""Expected chat-template renderings from jinja2, in the environment transformers uses
(`ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])`, its `tojson`,
`raise_exception` and `strftime_now`), for Ingot's Jinja-subset interpreter.

Templates: the fixture models' tokenizer_config.json, Phi-3's from Tests/Fixtures/vocab/ggml-vocab-phi-3.gguf and
Tests/Fixtures/vocab/openai-gpt-oss-120b.jinja. Writes Tests/Fixtures/chat-templates/cases.json:
{"now": ISO date, "templates": {name: source or "@relative/path"}, "cases": [{template, context, expected|error}]}.

Usage: python3 scripts/make_chat_template_expected.py   (needs jinja2 and gguf)
"""
import datetime
import json
import os

import gguf
import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOW = datetime.datetime(2026, 1, 15, 12, 0, 0)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        return NOW.strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    with open(os.path.join(ROOT, "Tests/Fixtures/models/tokenizer_config.json")) as f:
        tiny = json.load(f)["chat_template"]
    r = gguf.GGUFReader(os.path.join(ROOT, "Tests/Fixtures/vocab/ggml-vocab-phi-3.gguf"))
    fld = r.fields["tokenizer.chat_template"]
    phi3 = bytes(fld.parts[fld.data[0]]).decode("utf-8")
    gptoss_rel = "vocab/openai-gpt-oss-120b.jinja"
    with open(os.path.join(ROOT, "Tests/Fixtures", gptoss_rel)) as f:
        gptoss = f.read()
    sources = {"tiny": tiny, "phi3": phi3, "gpt-oss": gptoss}
    stored = {"tiny": tiny, "phi3": phi3, "gpt-oss": "@" + gptoss_rel}

    chat = [
        {"role": "user", "content": "Hello, who are you?"},
        {"role": "assistant", "content": "I am a model.\nNice to meet you."},
        {"role": "user", "content": "Tell me a joke about \"quotes\" & <tags> — ünïcödé 🙂"},
    ]
    with_system = [{"role": "system", "content": "You are terse."}] + chat
    tool_chat = [
        {"role": "system", "content": "Use tools when useful."},
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "thinking": "Need the weather tool.",
         "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}]},
        {"role": "tool", "content": {"temperature": 21.5, "sky": "clear"}},
        {"role": "assistant", "content": "It is 21.5 °C and clear."},
    ]
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather for a city",
        "parameters": {"type": "object", "required": ["city"], "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
            "days": {"type": "integer", "default": 1},
            "tags": {"type": "array", "items": {"type": "string"}},
            "extra": {"type": ["object", "null"]}}}}}]
    contexts = []
    for name in ["tiny", "phi3", "gpt-oss"]:
        for msgs in [chat, with_system, chat[:1]]:
            for agp in [True, False]:
                contexts.append((name, {"messages": msgs, "add_generation_prompt": agp,
                                        "bos_token": "<s>", "eos_token": "</s>"}))
    contexts.append(("gpt-oss", {"messages": tool_chat, "tools": tools, "add_generation_prompt": True,
                                 "reasoning_effort": "high", "builtin_tools": ["browser", "python"]}))
    contexts.append(("gpt-oss", {"messages": tool_chat[:4], "tools": tools, "add_generation_prompt": False,
                                 "model_identity": "You are Ingot's test model."}))
    contexts.append(("gpt-oss", {"messages": [{"role": "assistant", "content": "<|channel|>analysis<|message|>x"}],
                                 "add_generation_prompt": False}))
    contexts.append(("gpt-oss", {"messages": [{"role": "tool", "content": "x"}], "add_generation_prompt": False}))

    env = environment()
    cases = []
    for name, ctx in contexts:
        t = env.from_string(sources[name])
        case = {"template": name, "context": ctx}
        try:
            case["expected"] = t.render(**ctx)
        except jinja2.exceptions.TemplateError as e:
            case["error"] = str(e)
        cases.append(case)
    out = {"now": NOW.isoformat(), "templates": stored, "cases": cases}
    path = os.path.join(ROOT, "Tests/Fixtures/chat-templates/cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases -> {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
