import { describe, expect, it } from "vitest";
import { executeTemplate } from "./execute-template.ts";
import { parseTemplate } from "./parse-template.ts";

// Expected outputs are what Go's text/template with Sprig (as Helm 3 runs it) prints for the same input.
function render(source: string, data: unknown = {}, library = ""): string {
  const lib = parseTemplate("_lib.tpl", library);
  const parsed = parseTemplate("t.yaml", source);
  const defines = new Map([...lib.defines, ...parsed.defines]);
  return executeTemplate("t.yaml", parsed.nodes, { defines }, data);
}

describe("text/template semantics", () => {
  it("trims white space only where a dash touches the delimiters", () => {
    expect(render("a:\n  {{- 1 }}\nb: {{ 2 -}}\n  c")).toBe("a:1\nb: 2c");
    expect(render("{{-3}}")).toBe("-3");
  });

  it("drops comments, with or without trim markers", () => {
    expect(render("x {{/* a comment }} */}} y")).toBe("x  y");
    expect(render("x\n{{- /* gone */ -}}\ny")).toBe("xy");
  });

  it("walks fields: missing keys are empty, a field of nothing is an error", () => {
    expect(render("[{{ .Values.missing }}]", { Values: {} })).toBe("[]");
    expect(() => render("{{ .Values.missing.deeper }}", { Values: {} })).toThrow(
      /t\.yaml:1: nil pointer evaluating interface \{\}\.deeper/,
    );
  });

  it("prints float64 values as Go's %v does, and ints in full", () => {
    expect(render("{{ .a }} {{ .b }} {{ .c }} {{ .b | int }}", { a: 3, b: 1_000_000, c: 0.5 })).toBe(
      "3 1e+06 0.5 1000000",
    );
    expect(render("{{ .a }}", { a: 0.00001 })).toBe("1e-05");
  });

  it("refuses to compare a float64 value with an int literal, as Helm does", () => {
    expect(() => render("{{ if eq .n 1 }}one{{ end }}", { n: 1 })).toThrow(/incompatible types for comparison/);
    expect(render("{{ if eq (int .n) 1 }}one{{ end }}", { n: 1 })).toBe("one");
  });

  it("ranges over lists with an index and over maps in key order, else when empty", () => {
    expect(render("{{ range $i, $v := .l }}{{ $i }}={{ $v }};{{ end }}", { l: ["a", "b"] })).toBe("0=a;1=b;");
    expect(render("{{ range $k, $v := .m }}{{ $k }}{{ $v }} {{ end }}", { m: { z: 1, a: 2 } })).toBe("a2 z1 ");
    expect(render("{{ range .l }}x{{ else }}none{{ end }}", { l: [] })).toBe("none");
  });

  it("keeps $ as the root inside with and range, and scopes variables to their block", () => {
    const out = render('{{ $n := "outer" }}{{ with .a }}{{ . }}/{{ $.b }}/{{ $n }}{{ end }}', { a: "A", b: "B" });
    expect(out).toBe("A/B/outer");
    expect(() => render("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}")).toThrow(/undefined variable "\$x"/);
  });

  it("evaluates else-if chains and short-circuits and/or", () => {
    const t = '{{ if eq .v "a" }}A{{ else if eq .v "b" }}B{{ else }}C{{ end }}';
    expect([render(t, { v: "a" }), render(t, { v: "b" }), render(t, { v: "z" })]).toEqual(["A", "B", "C"]);
    // `.x.y` would fail on a nil `.x`; `and` must not evaluate it.
    expect(render("{{ if and .x .x.y }}yes{{ else }}no{{ end }}", {})).toBe("no");
    expect(render('{{ or .missing "fallback" }}', {})).toBe("fallback");
  });

  it("includes defines with nindent and toYaml, as chart helpers do", () => {
    const library = '{{- define "labels" -}}\napp: {{ .name }}\ntier: web\n{{- end }}';
    const out = render('metadata:\n  labels:\n    {{- include "labels" . | nindent 4 }}', { name: "x" }, library);
    expect(out).toBe("metadata:\n  labels:\n    app: x\n    tier: web");
    expect(render("r:\n  {{- toYaml .r | nindent 2 }}", { r: { b: "1", a: [1, 2] } })).toBe(
      'r:\n  a:\n    - 1\n    - 2\n  b: "1"',
    );
  });

  it("implements the Sprig functions the chart calls with their argument order", () => {
    expect(render('{{ .x | default "d" }} {{ "" | default "e" }}', { x: "v" })).toBe("v e");
    expect(render('{{ "abcdef-" | trunc 5 | trimSuffix "-" }} {{ "abcd-" | trimSuffix "-" }}')).toBe("abcde abcd");
    expect(render('{{ printf "%s-%s" "a" "b" }} {{ .s | quote }} {{ "p" | b64enc }}', { s: 'he said "hi"' })).toBe(
      'a-b "he said \\"hi\\"" cA==',
    );
    expect(render('{{ ternary "y" "n" true }} {{ hasKey .m "k" }} {{ len .l }}', { m: { k: 1 }, l: [1, 2] })).toBe(
      "y true 2",
    );
  });

  it("fails the render on required values and unknown functions", () => {
    expect(() => render('{{ required "secrets.perimeterSecret is required" .x }}', {})).toThrow(
      /t\.yaml:1: required: secrets\.perimeterSecret is required/,
    );
    expect(() => render("{{ toYML . }}")).toThrow(/function "toYML" not defined/);
  });

  it("reports malformed templates with their file and line", () => {
    expect(() => parseTemplate("bad.yaml", "a\n{{ if .x }}\nb")).toThrow(/bad\.yaml: unclosed \{\{ if \}\}/);
    expect(() => parseTemplate("bad.yaml", "a\nb {{ .x ")).toThrow(/bad\.yaml:2: unclosed action/);
    expect(() => parseTemplate("bad.yaml", "{{ end }}")).toThrow(/bad\.yaml:1: end without a block/);
  });
});
