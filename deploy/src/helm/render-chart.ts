import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { executeTemplate } from "./execute-template.ts";
import { parseTemplate, type TemplateNode } from "./parse-template.ts";
import { isMap } from "./template-values.ts";

// `helm template` for this repository's chart, without Helm: Chart.yaml and values.yaml are read, the
// overrides merged over the defaults as `--set`/`-f` would, every template rendered with the built-in
// objects Helm provides, and the output split into its YAML documents. Files whose names start with
// `_` only hold `define`s, and NOTES.txt is printed by Helm rather than applied, as in Helm.

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Merged over values.yaml: maps merge key by key, anything else replaces, `null` deletes. */
  values?: Record<string, unknown>;
}

export interface RenderedObject {
  /** The template file the object came from, relative to the chart (`templates/gateway.yaml`). */
  template: string;
  object: Record<string, unknown>;
}

export interface RenderedChart {
  objects: RenderedObject[];
  notes: string;
  values: Record<string, unknown>;
}

/** Helm's coalescing of user values over chart defaults. */
export function mergeValues(defaults: Record<string, unknown>, overrides: Record<string, unknown>) {
  const result: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete result[key];
    else if (isMap(value) && isMap(result[key])) result[key] = mergeValues(result[key], value);
    else result[key] = value;
  }
  return result;
}

function readYamlMap(file: string): Record<string, unknown> {
  const data = parseYaml(readFileSync(file, "utf8")) ?? {};
  if (!isMap(data)) throw new Error(`${file}: expected a YAML mapping`);
  return data;
}

/**
 * Renders the chart in `chartDir` as `helm template <release> <chart> -n <namespace>` would, and
 * parses every document. Throws on a template error (with file and line), on YAML that does not
 * parse, and on a document that is not a Kubernetes object (no apiVersion/kind).
 */
export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const chart = readYamlMap(path.join(chartDir, "Chart.yaml"));
  const values = mergeValues(readYamlMap(path.join(chartDir, "values.yaml")), options.values ?? {});
  const templatesDir = path.join(chartDir, "templates");
  const files = readdirSync(templatesDir)
    .filter((name) => /\.(yaml|yml|tpl|txt)$/.test(name))
    .sort();
  const defines = new Map<string, TemplateNode[]>();
  const parsed = files.map((name) => {
    const template = parseTemplate(`templates/${name}`, readFileSync(path.join(templatesDir, name), "utf8"));
    for (const [defineName, body] of template.defines) defines.set(defineName, body);
    return { name, nodes: template.nodes };
  });
  const releaseName = options.releaseName ?? "perimeter";
  const root = {
    Values: values,
    Release: {
      Name: releaseName,
      Namespace: options.namespace ?? "perimeter",
      Service: "Helm",
      IsInstall: true,
      IsUpgrade: false,
    },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const objects: RenderedObject[] = [];
  let notes = "";
  for (const { name, nodes } of parsed) {
    if (name.startsWith("_")) continue;
    const templateName = `templates/${name}`;
    const output = executeTemplate(templateName, nodes, { defines }, { ...root, Template: { Name: templateName } });
    if (name === "NOTES.txt") {
      notes = output;
      continue;
    }
    for (const document of parseAllDocuments(output)) {
      if (document.errors.length > 0) {
        throw new Error(`${templateName}: rendered YAML does not parse: ${document.errors[0]?.message}\n${output}`);
      }
      const object = document.toJS() as unknown;
      if (object === null || object === undefined) continue;
      if (!isMap(object) || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
        throw new Error(`${templateName}: a rendered document is not a Kubernetes object:\n${document.toString()}`);
      }
      objects.push({ template: templateName, object });
    }
  }
  return { objects, notes, values };
}
