import { describe, expect, it } from 'vitest';
import { ApiError, failureText } from './api.ts';

describe('failureText', () => {
  it("gives the server's explanation, or says the server was out of reach", () => {
    expect(failureText(new ApiError(409, 'slug_taken', 'That address is taken.'))).toBe('That address is taken.');
    expect(failureText(new TypeError('Failed to fetch'))).toBe("Couldn't reach the server. Try again.");
  });
});
