import type { Operand, Pipeline, TemplateNode } from "./parse-template.ts";
import { type TemplateFunction, templateFunctions } from "./template-functions.ts";
import { GoInt, isMap, isTruthy, printValue, TemplateRuntimeError } from "./template-values.ts";

// Evaluates parsed templates the way text/template does: `.` is the current data, `$` the data the
// template was called with, variables live until the `end` of the block that declared them, a field
// of a missing map key is nil and a field of nil is an error (Helm's "nil pointer evaluating
// interface {}.x"), and every value printed goes through Go's %v.

export interface TemplateSet {
  defines: Map<string, TemplateNode[]>;
}

type Scope = Map<string, unknown>[];

function lookupVariable(scopes: Scope, name: string, line: number, file: string): unknown {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const frame = scopes[i] as Map<string, unknown>;
    if (frame.has(name)) return frame.get(name);
  }
  throw new TemplateRuntimeError(`${file}:${line}: undefined variable "${name}"`);
}

function walkFields(value: unknown, path: string[], described: string): unknown {
  let current = value;
  let reached = described;
  for (const key of path) {
    if (current === undefined || current === null) {
      throw new TemplateRuntimeError(`nil pointer evaluating interface {}.${key} (at ${reached})`);
    }
    if (!isMap(current)) throw new TemplateRuntimeError(`can't evaluate field ${key} in ${printValue(current)}`);
    current = current[key];
    reached = `${reached}.${key}`;
  }
  return current;
}

class Execution {
  constructor(
    private readonly set: TemplateSet,
    private readonly file: string,
    private readonly functions: Record<string, TemplateFunction>,
  ) {}

  /** Renders `nodes` with `dot` as `.` and `$`. */
  run(nodes: TemplateNode[], dot: unknown, depth = 0): string {
    if (depth > 100) throw new TemplateRuntimeError(`${this.file}: templates nested more than 100 deep`);
    const scopes: Scope = [new Map([["$", dot]])];
    return this.nodes(nodes, dot, scopes, depth);
  }

  private nodes(nodes: TemplateNode[], dot: unknown, scopes: Scope, depth: number): string {
    let out = "";
    for (const node of nodes) out += this.node(node, dot, scopes, depth);
    return out;
  }

  private block(nodes: TemplateNode[], dot: unknown, scopes: Scope, depth: number, vars?: Map<string, unknown>) {
    scopes.push(vars ?? new Map());
    try {
      return this.nodes(nodes, dot, scopes, depth);
    } finally {
      scopes.pop();
    }
  }

  private node(node: TemplateNode, dot: unknown, scopes: Scope, depth: number): string {
    switch (node.kind) {
      case "text":
        return node.text;
      case "output": {
        const value = this.pipeline(node.pipeline, dot, scopes, depth);
        return node.pipeline.assign ? "" : printValue(value);
      }
      case "if": {
        for (const branch of node.branches) {
          scopes.push(new Map());
          try {
            if (isTruthy(this.pipeline(branch.condition, dot, scopes, depth))) {
              return this.nodes(branch.body, dot, scopes, depth);
            }
          } finally {
            scopes.pop();
          }
        }
        return node.otherwise ? this.block(node.otherwise, dot, scopes, depth) : "";
      }
      case "with": {
        scopes.push(new Map());
        try {
          const value = this.pipeline(node.pipeline, dot, scopes, depth);
          if (isTruthy(value)) return this.nodes(node.body, value, scopes, depth);
        } finally {
          scopes.pop();
        }
        return node.otherwise ? this.block(node.otherwise, dot, scopes, depth) : "";
      }
      case "range":
        return this.range(node, dot, scopes, depth);
      case "template": {
        const body = this.set.defines.get(node.name);
        if (!body) throw new TemplateRuntimeError(`${this.file}:${node.line}: no template "${node.name}"`);
        const argument = node.pipeline ? this.pipeline(node.pipeline, dot, scopes, depth) : undefined;
        return this.run(body, argument, depth + 1);
      }
    }
  }

  private range(node: Extract<TemplateNode, { kind: "range" }>, dot: unknown, scopes: Scope, depth: number): string {
    const { variables } = node.pipeline;
    const source = this.pipeline({ ...node.pipeline, variables: [], assign: null }, dot, scopes, depth);
    let entries: [unknown, unknown][];
    if (Array.isArray(source)) entries = source.map((value, i) => [new GoInt(BigInt(i)), value]);
    // Go ranges over a map in sorted key order.
    else if (isMap(source))
      entries = Object.keys(source)
        .sort()
        .map((key) => [key, source[key]]);
    else if (source === undefined || source === null) entries = [];
    else
      throw new TemplateRuntimeError(
        `${this.file}:${node.pipeline.line}: range can't iterate over ${printValue(source)}`,
      );
    if (entries.length === 0) return node.otherwise ? this.block(node.otherwise, dot, scopes, depth) : "";
    let out = "";
    for (const [key, value] of entries) {
      const vars = new Map<string, unknown>();
      if (variables.length === 1) vars.set(variables[0] as string, value);
      if (variables.length === 2) {
        vars.set(variables[0] as string, key);
        vars.set(variables[1] as string, value);
      }
      out += this.block(node.body, value, scopes, depth, vars);
    }
    return out;
  }

  private pipeline(pipeline: Pipeline, dot: unknown, scopes: Scope, depth: number): unknown {
    let value: unknown;
    let piped = false;
    for (const command of pipeline.commands) {
      value = this.command(command, dot, scopes, depth, piped ? [value] : [], pipeline.line);
      piped = true;
    }
    if (pipeline.assign === ":=") {
      (scopes[scopes.length - 1] as Map<string, unknown>).set(pipeline.variables[0] as string, value);
    } else if (pipeline.assign === "=") {
      const name = pipeline.variables[0] as string;
      const frame = [...scopes].reverse().find((f) => f.has(name));
      if (!frame) throw new TemplateRuntimeError(`${this.file}:${pipeline.line}: undefined variable "${name}"`);
      frame.set(name, value);
    }
    return value;
  }

  private command(
    command: Operand[],
    dot: unknown,
    scopes: Scope,
    depth: number,
    piped: unknown[],
    line: number,
  ): unknown {
    const [head, ...args] = command as [Operand, ...Operand[]];
    const where = `${this.file}:${line}`;
    if (head.kind !== "function") {
      if (args.length > 0 || piped.length > 0)
        throw new TemplateRuntimeError(`${where}: can't give arguments to a value`);
      return this.operand(head, dot, scopes, depth, line);
    }
    const evaluate = (operand: Operand) => this.operand(operand, dot, scopes, depth, line);
    try {
      // `and` and `or` stop at the first deciding argument and return it, as Go 1.18+ does.
      if (head.name === "and" || head.name === "or") {
        const operands: (() => unknown)[] = [...args.map((a) => () => evaluate(a)), ...piped.map((p) => () => p)];
        let last: unknown;
        for (const next of operands) {
          last = next();
          if (isTruthy(last) === (head.name === "or")) return last;
        }
        return last;
      }
      const values = [...args.map(evaluate), ...piped];
      if (head.name === "include") {
        const [name, argument] = values;
        const body = this.set.defines.get(String(name));
        if (!body) throw new TemplateRuntimeError(`no template "${String(name)}"`);
        return this.run(body, argument, depth + 1);
      }
      const fn = this.functions[head.name];
      if (!fn) throw new TemplateRuntimeError(`function "${head.name}" not defined`);
      return fn(...values);
    } catch (error) {
      if (error instanceof TemplateRuntimeError && !error.message.startsWith(this.file)) {
        throw new TemplateRuntimeError(`${where}: ${head.name}: ${error.message}`);
      }
      throw error;
    }
  }

  private operand(operand: Operand, dot: unknown, scopes: Scope, depth: number, line: number): unknown {
    const where = `${this.file}:${line}`;
    const fields = (value: unknown, path: string[], described: string) => {
      try {
        return walkFields(value, path, described);
      } catch (error) {
        throw error instanceof TemplateRuntimeError ? new TemplateRuntimeError(`${where}: ${error.message}`) : error;
      }
    };
    switch (operand.kind) {
      case "field":
        return fields(dot, operand.path, "");
      case "variable":
        return fields(lookupVariable(scopes, operand.name, line, this.file), operand.path, operand.name);
      case "string":
        return operand.value;
      case "number":
        return operand.integer ? new GoInt(BigInt(operand.value)) : operand.value;
      case "bool":
        return operand.value;
      case "nil":
        return null;
      case "group":
        return fields(this.pipeline(operand.pipeline, dot, scopes, depth), operand.path, "(…)");
      case "function":
        return this.command([operand], dot, scopes, depth, [], line);
    }
  }
}

/**
 * Renders `nodes` (one file's parsed template) with `data` as `.`, resolving `include` and
 * `template` against `set`. Throws `TemplateRuntimeError` naming the file and line.
 */
export function executeTemplate(file: string, nodes: TemplateNode[], set: TemplateSet, data: unknown): string {
  return new Execution(set, file, templateFunctions).run(nodes, data);
}
