// The categories, read once per process. They change only with migrations, which run before the
// server starts, so a process never sees them change: cards map slugs to names here instead of
// joining the Category table in every query (that join, on the COALESCE of the stream's and the
// channel's category, cost more to plan and run than the rest of a card query).
import type { PrismaClient } from '../../common/db/database.ts';

export interface CategoryInfo {
  slug: string;
  name: string;
}

export class CategoryNames {
  readonly #prisma: PrismaClient;
  #loading: Promise<CategoryInfo[]> | undefined;

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  /** In display order. */
  list(): Promise<CategoryInfo[]> {
    this.#loading ??= this.#prisma.category
      .findMany({ orderBy: [{ position: 'asc' }, { slug: 'asc' }], select: { slug: true, name: true } })
      .catch((error: unknown) => {
        // A failed read (database briefly down) is retried by the next request, not remembered.
        this.#loading = undefined;
        throw error;
      });
    return this.#loading;
  }

  async names(): Promise<ReadonlyMap<string, string>> {
    return new Map((await this.list()).map((category) => [category.slug, category.name]));
  }
}
