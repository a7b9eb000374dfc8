// Whether a database error is a unique-constraint violation. Prisma reports it as P2002, except
// inside an interactive transaction on PGlite, where the driver adapter's own error (SQLSTATE
// 23505 in its cause) comes through unmapped.
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ('code' in error && error.code === 'P2002') return true;
  if ((error as { name?: unknown }).name !== 'DriverAdapterError') return false;
  const cause = (error as { cause?: { code?: unknown; kind?: unknown } }).cause;
  return cause?.code === '23505' || cause?.kind === 'UniqueConstraintViolation';
}
