// Signing in and out, signing up, and the signed-in user's own account: password, API key, second factor.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StartedSession } from '../../domain/sessions.js';
import type { ZodApp } from '../contract.js';
import type { WebContext } from './context.js';
import { readCookie, SESSION_COOKIE, setSessionCookie } from './cookies.js';
import * as replies from './replies.js';
import * as schemas from './schemas.js';

export function accountRoutes(app: ZodApp, web: WebContext): void {
  const { users, sessions, config } = web.platform;

  /** What the page needs before anything else: who is signed in, the CSRF token, the operator's rules. */
  const sessionState = (request: FastifyRequest) => {
    const session = web.maybeSession(request);
    return {
      user: session ? { username: session.username, role: session.role } : null,
      csrfToken: web.csrfToken(request),
      signUpOpen: config.signUpOpen,
      paymentMethods: config.paymentMethods,
      releaseAfterSeconds: config.releaseAfterMs / 1000,
    };
  };

  /** Starts a browser's session: the cookie, and the state with the session's own CSRF token. */
  const signedIn = (request: FastifyRequest, reply: FastifyReply, started: StartedSession) => {
    setSessionCookie(request, reply, started.token);
    return { ...sessionState(request), user: { username: started.session.username, role: started.session.role }, csrfToken: started.session.csrfToken };
  };

  app.get('/session', { schema: { summary: 'Who is signed in, the CSRF token and the operator\'s rules', response: replies.answers('The session state', replies.session) }, config: { access: 'public' } }, async (request) => sessionState(request));

  app.post('/session', { schema: { summary: 'Sign in', body: schemas.signIn, response: replies.answers('Signed in: the new session state', replies.session) }, config: { access: 'public' } }, async (request, reply) => {
    const body = request.body;
    await web.limits.passwordCheck(request);
    const started = await web.limits.authenticate(request, () => sessions.signIn(body.username, body.password, body.code));
    return signedIn(request, reply, started);
  });

  app.delete('/session', { schema: { summary: 'Sign out' }, config: { access: 'public' } }, async (request, reply) => {
    await sessions.signOut(readCookie(request, SESSION_COOKIE));
    setSessionCookie(request, reply, '');
    return { user: null };
  });

  app.post('/users', { schema: { summary: 'Sign up', body: schemas.signUp, response: replies.answers('Signed up and in: the new session state', replies.session) }, config: { access: 'public' } }, async (request, reply) => {
    const body = request.body;
    await web.limits.passwordCheck(request);
    const user = await users.signUp(body);
    return signedIn(request, reply, await sessions.start(user.id));
  });

  app.get('/me', { schema: { summary: 'Your account', response: replies.answers('Your account', replies.me) } }, async (request) => {
    const session = web.session(request);
    const [user, secondFactor] = await Promise.all([users.show(session.username), sessions.secondFactorEnabled(session.userId)]);
    return {
      username: user.username,
      role: user.role,
      email: user.email,
      balance: user.balance,
      held: user.held,
      activeOrders: user.activeOrders,
      activeOrderCap: user.activeOrderCap,
      apiKeyPrefix: user.apiKeyPrefix,
      secondFactor,
    };
  });

  // Every session ends, this one too; the browser that changed the password gets a new one.
  app.post('/me/password', { schema: { summary: 'Change your password (every other session ends)', body: schemas.changePassword } }, async (request, reply) => {
    const body = request.body;
    const session = web.session(request);
    await users.changePassword(session.userId, body.current, body.next);
    return signedIn(request, reply, await sessions.start(session.userId));
  });

  // Shown once: only its hash is kept.
  app.post('/me/api-key', { schema: { summary: 'A new API key (shown once)' } }, async (request) => ({ apiKey: await users.rotateApiKey(web.session(request).username) }));

  app.post('/me/second-factor/setup', { schema: { summary: 'Start setting up a second factor (TOTP)' } }, async (request) => sessions.setUpSecondFactor(web.session(request).userId));

  app.post('/me/second-factor/enable', { schema: { summary: 'Turn the second factor on', body: schemas.secondFactorCode } }, async (request) => {
    const { code } = request.body;
    await sessions.enableSecondFactor(web.session(request).userId, code);
    return { secondFactor: true };
  });

  app.post('/me/second-factor/disable', { schema: { summary: 'Turn the second factor off', body: schemas.secondFactorCode } }, async (request) => {
    const { code } = request.body;
    await sessions.disableSecondFactor(web.session(request).userId, code);
    return { secondFactor: false };
  });
}
