import { randomUUID } from "node:crypto";

/** One entry of vLLM's `GET /v1/models` answer (`ModelCard` in vLLM's OpenAI protocol module). */
export interface ModelCard {
  id: string;
  object: "model";
  created: number;
  owned_by: "vllm";
  root: string;
  parent: string | null;
  max_model_len: number;
  permission: ModelPermission[];
}

/** vLLM fills `permission` with one default `ModelPermission`; clients ignore it but it is part of the shape. */
export interface ModelPermission {
  id: string;
  object: "model_permission";
  created: number;
  allow_create_engine: boolean;
  allow_sampling: boolean;
  allow_logprobs: boolean;
  allow_search_indices: boolean;
  allow_view: boolean;
  allow_fine_tuning: boolean;
  organization: string;
  group: string | null;
  is_blocking: boolean;
}

export interface ModelList {
  object: "list";
  data: ModelCard[];
}

export interface ServedModel {
  /** The `--served-model-name`, which clients send as `model`. */
  name: string;
  /** The `--model` path or Hugging Face id, which vLLM reports as `root`. */
  path: string;
  maxModelLen: number;
  /** Seconds since the epoch; vLLM stamps the time of the request, the simulator its start time. */
  createdAtEpochSec: number;
}

/** Builds the `/v1/models` body exactly as vLLM serializes it for one served model. */
export function buildModelList(model: ServedModel): ModelList {
  const permission: ModelPermission = {
    id: `modelperm-${randomUUID().replaceAll("-", "")}`,
    object: "model_permission",
    created: model.createdAtEpochSec,
    allow_create_engine: false,
    allow_sampling: true,
    allow_logprobs: true,
    allow_search_indices: false,
    allow_view: true,
    allow_fine_tuning: false,
    organization: "*",
    group: null,
    is_blocking: false,
  };
  return {
    object: "list",
    data: [
      {
        id: model.name,
        object: "model",
        created: model.createdAtEpochSec,
        owned_by: "vllm",
        root: model.path,
        parent: null,
        max_model_len: model.maxModelLen,
        permission: [permission],
      },
    ],
  };
}
