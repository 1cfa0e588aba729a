import type { LimitPolicyView } from "@perimeter/core";
import { limitGroups } from "../lib/limit-labels";
import { Field, SelectField, TextAreaField } from "./action-form";

/**
 * The inputs of a limits form, filled with the stored policy: empty means "no limit at this level"
 * (a broader level may still limit). Used for organization caps, teams, members and keys alike.
 */
export function LimitsFields({ policy, compact = false }: { policy: LimitPolicyView | null; compact?: boolean }) {
  return (
    <>
      {limitGroups.map((group) => (
        <fieldset key={group.title} className="fieldset">
          <legend>{group.title}</legend>
          <div className={compact ? "grid-4" : "grid-3"}>
            {group.fields.map(({ field, label, unit }) => (
              <Field
                key={field}
                name={field}
                label={`${label} ${unit}`}
                inputMode="numeric"
                placeholder="no limit"
                defaultValue={policy?.[field] ?? undefined}
              />
            ))}
          </div>
        </fieldset>
      ))}
      <fieldset className="fieldset">
        <legend>Models and thinking</legend>
        <div className="grid-2">
          <TextAreaField
            name="allowedModels"
            label="Allowed models"
            hint="Comma-separated public model names; empty allows every enabled model."
            defaultValue={policy?.allowedModels.join(", ") ?? ""}
          />
          <SelectField
            name="thinkingPolicy"
            label="Thinking"
            defaultValue={policy?.thinkingPolicy ?? "client"}
            options={[
              { value: "client", label: "As the client asks" },
              { value: "force_on", label: "Always on" },
              { value: "force_off", label: "Always off" },
            ]}
          />
        </div>
      </fieldset>
    </>
  );
}
