import type { OrgRole, User, UserStatus } from "@perimeter/db";

/** A user as core returns it: everything but the password hash. */
export interface UserView {
  id: string;
  orgId: string;
  email: string;
  name: string;
  status: UserStatus;
  orgRole: OrgRole | null;
  hasPassword: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  disabledAt: Date | null;
}

/** Projects a user row to a `UserView`, leaving the password hash behind. */
export function toUserView(user: User): UserView {
  return {
    id: user.id,
    orgId: user.orgId,
    email: user.email,
    name: user.name,
    status: user.status,
    orgRole: user.orgRole,
    hasPassword: user.passwordHash !== null,
    lastLoginAt: user.lastLoginAt,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    disabledAt: user.disabledAt,
  };
}
