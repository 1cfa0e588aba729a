/** The sign-up link for an invitation token, under the dashboard's public URL (or the request's origin). */
export function invitationLink(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, "")}/invite/${encodeURIComponent(token)}`;
}
