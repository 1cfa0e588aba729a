/**
 * Puts each validation message on the form field it is about: a message for `spec.extraArgs.2` or
 * `hardwareProfiles.0.gpuCount` belongs to the field `spec.extraArgs` or `hardwareProfiles` (the
 * longest field name that is the path or a prefix of it). Messages for paths no field has keep their
 * path, prefixed to the message, under `_`, so the form can still show them. First message wins. Pure.
 */
export function onFormFields(fields: Record<string, string>, fieldNames: readonly string[]): Record<string, string> {
  const byLength = [...fieldNames].sort((a, b) => b.length - a.length);
  const out: Record<string, string> = {};
  const loose: string[] = [];
  for (const [path, message] of Object.entries(fields)) {
    const field = byLength.find((name) => path === name || path.startsWith(`${name}.`));
    if (field) out[field] ??= message;
    else loose.push(path === "_" ? message : `${path}: ${message}`);
  }
  if (loose.length > 0) out._ = loose.join("; ");
  return out;
}
