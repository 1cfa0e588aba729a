import type { Prisma } from "@perimeter/db";

/**
 * Serialises changes to one organization's model catalog until the transaction ends, so two writers
 * cannot both find a public name or alias free and then both take it.
 */
export async function lockModelCatalog(tx: Prisma.TransactionClient, orgId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`model-catalog:${orgId}`}, 0))`;
}

/** The names (public or alias) among `names` that a model of `orgId` other than `exceptModelId` already answers to. */
export async function takenModelNames(
  tx: Prisma.TransactionClient,
  orgId: string,
  names: string[],
  exceptModelId?: string,
): Promise<string[]> {
  const others = await tx.model.findMany({
    where: {
      orgId,
      ...(exceptModelId ? { id: { not: exceptModelId } } : {}),
      OR: [{ publicName: { in: names } }, { aliases: { hasSome: names } }],
    },
    select: { publicName: true, aliases: true },
  });
  const taken = new Set(others.flatMap((model) => [model.publicName, ...model.aliases]));
  return names.filter((name) => taken.has(name));
}
