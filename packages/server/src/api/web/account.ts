// Signing in and out, signing up, and the signed-in user's own account: password, API key, second factor.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StartedSession } from '../../domain/sessions.js';
import type { WebContext } from './context.js';
import { readCookie, SESSION_COOKIE, setSessionCookie } from './cookies.js';
import * as schemas from './schemas.js';

export function accountRoutes(app: FastifyInstance, web: WebContext): void {
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

  app.get('/session', { config: { access: 'public' } }, async (request) => sessionState(request));

  app.post('/session', { config: { access: 'public' } }, async (request, reply) => {
    const body = schemas.parse(schemas.signIn, request.body);
    await web.limits.passwordCheck(request);
    const started = await web.limits.authenticate(request, () => sessions.signIn(body.username, body.password, body.code));
    return signedIn(request, reply, started);
  });

  app.delete('/session', { config: { access: 'public' } }, async (request, reply) => {
    await sessions.signOut(readCookie(request, SESSION_COOKIE));
    setSessionCookie(request, reply, '');
    return { user: null };
  });

  app.post('/users', { config: { access: 'public' } }, async (request, reply) => {
    const body = schemas.parse(schemas.signUp, request.body);
    await web.limits.passwordCheck(request);
    const user = await users.signUp(body);
    return signedIn(request, reply, await sessions.start(user.id));
  });

  app.get('/me', async (request) => {
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
  app.post('/me/password', async (request, reply) => {
    const body = schemas.parse(schemas.changePassword, request.body);
    const session = web.session(request);
    await users.changePassword(session.userId, body.current, body.next);
    return signedIn(request, reply, await sessions.start(session.userId));
  });

  // Shown once: only its hash is kept.
  app.post('/me/api-key', async (request) => ({ apiKey: await users.rotateApiKey(web.session(request).username) }));

  app.post('/me/second-factor/setup', async (request) => sessions.setUpSecondFactor(web.session(request).userId));

  app.post('/me/second-factor/enable', async (request) => {
    const { code } = schemas.parse(schemas.secondFactorCode, request.body);
    await sessions.enableSecondFactor(web.session(request).userId, code);
    return { secondFactor: true };
  });

  app.post('/me/second-factor/disable', async (request) => {
    const { code } = schemas.parse(schemas.secondFactorCode, request.body);
    await sessions.disableSecondFactor(web.session(request).userId, code);
    return { secondFactor: false };
  });
}
