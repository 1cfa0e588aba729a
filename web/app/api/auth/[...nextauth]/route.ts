import type { NextRequest } from "next/server";
import NextAuth from "next-auth";
import { authOptionsForRequest } from "../../../../lib/auth/session";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function handler(request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(request, context, await authOptionsForRequest());
}

export { handler as GET, handler as POST };
