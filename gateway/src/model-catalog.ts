import type { Upstream } from "./upstream.ts";

/** A model clients can ask for, and where it is served. */
export interface ServedModel {
  /** The name the gateway reports and teams' allow-lists use (`umans-coder-v0`). */
  publicName: string;
  /** vLLM's `--served-model-name`. */
  servedName: string;
  upstream: Upstream;
}

export interface ModelCatalog {
  /** The model a requested name means: its public name, its served name, or one of its aliases. */
  resolve(requested: string): ServedModel | undefined;
  /** Every model, for `GET /v1/models`. */
  list(): ServedModel[];
}

/**
 * The models of this gateway, from configuration: one default model with aliases. An alias ending in `*`
 * matches every name with that prefix, so `claude-*` sends the `claude-opus-…`, `claude-sonnet-…` and
 * `claude-haiku-…` names Claude Code uses by default (and for its small/fast model) to the served model.
 */
export function createModelCatalog(model: ServedModel, aliases: readonly string[]): ModelCatalog {
  const exact = new Set([model.publicName, model.servedName, ...aliases.filter((alias) => !alias.endsWith("*"))]);
  const prefixes = aliases.filter((alias) => alias.endsWith("*")).map((alias) => alias.slice(0, -1));
  return {
    resolve: (requested) =>
      exact.has(requested) || prefixes.some((prefix) => requested.startsWith(prefix)) ? model : undefined,
    list: () => [model],
  };
}
