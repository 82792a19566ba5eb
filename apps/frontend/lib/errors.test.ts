import { ApiError, errorMessage, UNAVAILABLE_MESSAGE } from './errors';

describe('errorMessage', () => {
  it.each([0, 502, 503, 504])('maps %i to the unavailable message', (status) => {
    expect(errorMessage(status, { detail: 'ignored' })).toBe(UNAVAILABLE_MESSAGE);
  });

  it('names each invalid field from a FastAPI 422 body', () => {
    const body = {
      detail: [
        { loc: ['body', 'title'], msg: 'String should have at least 1 character' },
        { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100' },
      ],
    };
    expect(errorMessage(422, body)).toBe(
      'Please check your input: title: String should have at least 1 character; limit: Input should be less than or equal to 100.',
    );
  });

  it('uses a string detail as is', () => {
    expect(errorMessage(404, { detail: 'Todo 3 not found' })).toBe('Todo 3 not found');
  });

  it('falls back to a sentence when the body is not JSON', () => {
    expect(errorMessage(404, null)).toMatch(/no longer exists/);
    expect(errorMessage(500, null)).toBe('Unexpected error from the todo service (HTTP 500).');
  });
});

describe('ApiError.unavailable', () => {
  it('is true only for gateway-style failures', () => {
    expect(new ApiError(503, '').unavailable).toBe(true);
    expect(new ApiError(0, '').unavailable).toBe(true);
    expect(new ApiError(422, '').unavailable).toBe(false);
    expect(new ApiError(500, '').unavailable).toBe(false);
  });
});
