import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderAssistantOutput, renderDeepseekV32Prompt } from "./deepseek-v32-prompt.ts";
import { countTokens, tokenize } from "./tokenizer.ts";

describe("renderDeepseekV32Prompt", () => {
  it("lays a thinking-mode tool loop out as the DeepSeek V3.2 encoder does", async () => {
    const prompt = renderDeepseekV32Prompt({
      thinking: true,
      tools: [{ name: "Read", description: "Read a file", parameters: { type: "object" } }],
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "old question" },
        { role: "assistant", content: "old answer", reasoning: "dropped: before the last user message" },
        { role: "user", content: "Read a.md" },
        {
          role: "assistant",
          content: null,
          reasoning: "Need the file.",
          toolCalls: [{ name: "Read", arguments: { file_path: "a.md", limit: 5 } }],
        },
        { role: "tool", content: "# A" },
      ],
    });
    await expect(prompt).toMatchFileSnapshot("./golden/prompt-thinking-tool-loop.txt");
    expect(prompt.startsWith("<｜begin▁of▁sentence｜>\n\n## Tools\n")).toBe(true);
    expect(prompt).toContain('{"name": "Read", "description": "Read a file", "parameters": {"type": "object"}}');
    expect(prompt).not.toContain("dropped");
    expect(prompt).toContain("<｜User｜>old question<｜Assistant｜></think>old answer<｜end▁of▁sentence｜>");
    expect(prompt).toContain(
      '<｜User｜>Read a.md<｜Assistant｜><think>Need the file.</think>\n\n<｜DSML｜function_calls>\n<｜DSML｜invoke name="Read">\n' +
        '<｜DSML｜parameter name="file_path" string="true">a.md</｜DSML｜parameter>\n' +
        '<｜DSML｜parameter name="limit" string="false">5</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls><｜end▁of▁sentence｜>',
    );
    expect(prompt.endsWith("\n\n<function_results>\n<result># A</result>\n</function_results>\n\n<think>")).toBe(true);
  });

  it("closes every user turn with </think> in chat mode", () => {
    const prompt = renderDeepseekV32Prompt({ thinking: false, messages: [{ role: "user", content: "hi" }] });
    expect(prompt).toBe("<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜></think>");
  });

  it("writes the generated answer the way the next prompt will contain it", () => {
    const output = renderAssistantOutput({ reasoning: "r", content: "c", toolCalls: [] }, true, true);
    expect(output).toBe("r</think>c<｜end▁of▁sentence｜>");
  });
});

describe("tokenizer", () => {
  it("keeps special tokens whole and gives text back when the pieces are joined", () => {
    const text = "<｜User｜>Hello, world!\n    const answer = 42;<｜Assistant｜>";
    const { ids, pieces } = tokenize(text);
    expect(pieces.join("")).toBe(text);
    expect(pieces[0]).toBe("<｜User｜>");
    expect(ids[0]).toBe(128_803);
    expect(tokenize(text).ids).toEqual(ids);
  });

  it("averages roughly 3.5 to 4.5 characters per token on English and on code", () => {
    const english =
      "Perimeter gives a company the Claude Code experience on its own GPUs. Developers point their tools at the " +
      "gateway, which checks their team's key and quotas and translates each request for the model server.";
    const code = readFileSync(new URL("./start-vllm-sim.ts", import.meta.url), "utf8");
    for (const text of [english, code]) {
      const ratio = text.length / countTokens(text);
      expect(ratio).toBeGreaterThan(3.3);
      expect(ratio).toBeLessThan(4.6);
    }
  });
});
