import type { PrismaClient } from '../../common/db/database.ts';
import { BadRequestError, ConflictError } from '../../common/errors.ts';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';

export interface NewUser {
  email: string;
  password: string;
  name?: string | undefined;
  role?: 'viewer' | 'creator' | 'admin';
}

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: Date;
}

// Deliberately loose: the only real check of an address is mail reaching it.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(prisma: PrismaClient, input: NewUser): Promise<PublicUser> {
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email) || email.length > 254) throw new BadRequestError(`'${input.email}' is not an email address.`);
  if (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH) {
    throw new BadRequestError(`The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`);
  }
  const name = (input.name ?? email.split('@')[0] ?? email).trim().slice(0, 64);
  const existing = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) throw new ConflictError('email_taken', `A user with the email ${email} already exists.`);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await prisma.user.create({ data: { email, name, passwordHash, role: input.role ?? 'viewer' } });
    return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt };
  } catch (error) {
    // Two sign-ups racing for the same address: the unique index decides.
    if (isUniqueViolation(error)) throw new ConflictError('email_taken', `A user with the email ${email} already exists.`);
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'P2002';
}
