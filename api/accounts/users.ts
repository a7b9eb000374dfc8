import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../common/db/database.ts';
import { isUniqueViolation } from '../../common/db/unique-violation.ts';
import { BadRequestError, ConflictError } from '../../common/errors.ts';
import { validateNewPassword } from './password-rules.ts';
import { hashPassword } from './passwords.ts';

export type UserRole = 'viewer' | 'creator' | 'admin';

export interface NewUser {
  email: string;
  password: string;
  /** The handle; derived from the email when not given (operator-made accounts). */
  username?: string | undefined;
  name?: string | undefined;
  role?: UserRole;
}

export interface PublicUser {
  id: string;
  email: string;
  username: string;
  name: string;
  role: string;
  createdAt: Date;
}

// Deliberately loose: the only real check of an address is mail reaching it.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME = /^[a-z0-9_]{3,24}$/;
/** Handles that would read as the platform speaking in chat, or shadow a page. */
const RESERVED_USERNAMES = new Set([
  'admin',
  'administrator',
  'moderator',
  'mod',
  'system',
  'support',
  'staff',
  'aethex',
  'root',
  'null',
  'undefined',
]);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Returns the username in canonical (lowercase) form or throws saying what is wrong. */
export function validateUsername(raw: string): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME.test(username))
    throw new BadRequestError(`'${raw}' is not a valid username: use 3 to 24 letters, digits and underscores.`);
  if (RESERVED_USERNAMES.has(username)) throw new BadRequestError(`'${username}' is reserved; pick another username.`);
  return username;
}

export function validateDisplayName(raw: string): string {
  const name = raw.replace(/\s+/g, ' ').trim();
  if (name.length < 1 || name.length > 64)
    throw new BadRequestError('The display name must be 1 to 64 characters long.');
  return name;
}

export function toPublicUser(user: PublicUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    name: user.name,
    role: user.role,
    createdAt: user.createdAt,
  };
}

export async function createUser(prisma: PrismaClient, input: NewUser): Promise<PublicUser> {
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email) || email.length > 254) throw new BadRequestError(`'${input.email}' is not an email address.`);
  const username =
    input.username === undefined ? await freeUsernameFor(prisma, email) : validateUsername(input.username);
  validateNewPassword(input.password, { email, username });
  const name = validateDisplayName(input.name ?? input.username ?? email.split('@')[0] ?? email);
  const existing = await prisma.user.findFirst({ where: { OR: [{ email }, { username }] }, select: { email: true } });
  if (existing)
    throw takenError(existing.email === email ? 'email' : 'username', existing.email === email ? email : username);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await prisma.user.create({
      data: { email, username, name, passwordHash, role: input.role ?? 'viewer' },
    });
    return toPublicUser(user);
  } catch (error) {
    // Two sign-ups racing for the same address or handle: the unique indexes decide.
    if (isUniqueViolation(error)) {
      const field = uniqueViolationFields(error).includes('username') ? 'username' : 'email';
      throw takenError(field, field === 'email' ? email : username);
    }
    throw error;
  }
}

function takenError(field: 'email' | 'username', value: string): ConflictError {
  return field === 'email'
    ? new ConflictError('email_taken', `A user with the email ${value} already exists.`)
    : new ConflictError('username_taken', `The username '${value}' is taken.`);
}

/** A username made from the email's local part, with a random suffix when that one is taken. */
async function freeUsernameFor(prisma: PrismaClient, email: string): Promise<string> {
  let base = (email.split('@')[0] ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 16);
  if (base.length < 3 || RESERVED_USERNAMES.has(base)) base = `user_${base}`.slice(0, 16);
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = attempt === 0 ? base : `${base}_${randomBytes(3).toString('hex')}`;
    if (!(await prisma.user.findUnique({ where: { username: candidate }, select: { id: true } }))) return candidate;
  }
  return `${base}_${randomBytes(4).toString('hex')}`;
}

function uniqueViolationFields(error: unknown): string[] {
  const target = (error as { meta?: { target?: unknown } }).meta?.target;
  if (Array.isArray(target)) return target.map(String);
  return typeof target === 'string' ? [target] : [];
}
