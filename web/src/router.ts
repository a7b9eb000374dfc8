import { createRouter, createWebHistory } from 'vue-router';
import type { AppPageSegment } from '../../common/protocol/reserved-paths.ts';
import { safeNextPath, useSessionStore } from './stores/session.ts';
import { useWebinarStore } from './stores/webinars.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Signed-out visitors are sent to /login, and come back here afterwards. */
    requiresAuth?: boolean;
    /** Login and sign-up: a signed-in visitor goes straight on. */
    guestOnly?: boolean;
  }
}

/**
 * A page's path. Its first segment must be one that channel slugs may not take
 * (common/protocol/reserved-paths.ts): a page on a new segment is added there first.
 */
function page(segment: AppPageSegment, rest = ''): string {
  return `/${segment}${rest}`;
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('./views/HomeView.vue') },
    { path: page('login'), name: 'login', component: () => import('./views/LoginView.vue'), meta: { guestOnly: true } },
    {
      path: page('signup'),
      name: 'signup',
      component: () => import('./views/SignupView.vue'),
      meta: { guestOnly: true },
    },
    {
      path: page('settings'),
      name: 'settings',
      component: () => import('./views/AccountView.vue'),
      meta: { requiresAuth: true },
    },
    {
      path: page('notifications'),
      name: 'notifications',
      component: () => import('./views/NotificationsView.vue'),
      meta: { requiresAuth: true },
    },
    { path: page('search'), name: 'search', component: () => import('./views/SearchView.vue') },
    { path: page('categories', '/:slug'), name: 'category', component: () => import('./views/CategoryView.vue') },
    {
      path: page('studio'),
      name: 'studio',
      component: () => import('./views/StudioView.vue'),
      meta: { requiresAuth: true },
    },
    {
      path: page('admin'),
      name: 'admin',
      component: () => import('./views/AdminView.vue'),
      meta: { requiresAuth: true },
    },
    { path: page('vod', '/:id'), name: 'vod', component: () => import('./views/VodView.vue') },
    { path: page('clip', '/:id'), name: 'clip', component: () => import('./views/ClipView.vue') },
    {
      path: page('webinars', '/:id'),
      name: 'webinar',
      component: () => import('./views/WebinarView.vue'),
      // Ask for the webinar, and start joining its audience, while the page's code loads: an
      // attendee would otherwise wait for one after the other (media/stage-prestart.ts).
      beforeEnter: (to) => {
        const id = String(to.params.id);
        void useWebinarStore().load(id);
        // A personal join link (?join=) must first become this browser's seat: the page joins then.
        if (to.query.join) return;
        void import('./media/stage-prestart.ts').then(({ prestartAudience }) => prestartAudience(id));
      },
    },
    {
      path: page('webinars', '/:id/report'),
      name: 'webinar-report',
      component: () => import('./views/WebinarReportView.vue'),
      meta: { requiresAuth: true },
    },
    {
      path: page('certificates', '/:number'),
      name: 'certificate',
      component: () => import('./views/CertificateView.vue'),
    },
    // A channel lives at /<slug>; the pages above are on reserved segments that can never be
    // channels, so they always win.
    { path: '/:slug', name: 'channel', component: () => import('./views/ChannelView.vue') },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
  ],
  scrollBehavior(to, from, saved) {
    if (saved) return saved;
    // Filtering the home grid or paging search rewrites the query only: stay where the reader is.
    if (to.path === from.path) return false;
    return { top: 0 };
  },
});

router.beforeEach(async (to) => {
  if (!to.meta.requiresAuth && !to.meta.guestOnly) return true;
  const session = useSessionStore();
  await session.ensureLoaded();
  if (to.meta.requiresAuth && !session.signedIn) return { name: 'login', query: { next: to.fullPath } };
  if (to.meta.guestOnly && session.signedIn) return safeNextPath(to.query.next);
  return true;
});
