// Errors the domain raises on purpose carry an HTTP status and a stable code; the web
// layer's one error handler turns them into JSON or a page. Anything else is a 500 whose
// details are logged, never shown.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly expose = true,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class NotFound extends AppError {
  constructor(message = 'not found') { super(404, 'not_found', message); }
}

export class BadInput extends AppError {
  constructor(message: string, code = 'bad_input') { super(400, code, message); }
}

export class Forbidden extends AppError {
  constructor(message = 'you do not have access to this page') { super(403, 'forbidden', message); }
}

export class Unauthorized extends AppError {
  constructor(message = 'sign in first', code = 'unauthorized') { super(401, code, message); }
}
