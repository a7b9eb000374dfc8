import { createRouter, createWebHistory } from 'vue-router';
import { safeNextPath, useSessionStore } from './stores/session.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Signed-out visitors are sent to /login, and come back here afterwards. */
    requiresAuth?: boolean;
    /** Login and sign-up: a signed-in visitor goes straight on. */
    guestOnly?: boolean;
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('./views/HomeView.vue') },
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { guestOnly: true } },
    { path: '/signup', name: 'signup', component: () => import('./views/SignupView.vue'), meta: { guestOnly: true } },
    {
      path: '/settings',
      name: 'settings',
      component: () => import('./views/AccountView.vue'),
      meta: { requiresAuth: true },
    },
    {
      path: '/notifications',
      name: 'notifications',
      component: () => import('./views/NotificationsView.vue'),
      meta: { requiresAuth: true },
    },
    { path: '/search', name: 'search', component: () => import('./views/SearchView.vue') },
    { path: '/categories/:slug', name: 'category', component: () => import('./views/CategoryView.vue') },
    {
      path: '/studio',
      name: 'studio',
      component: () => import('./views/StudioView.vue'),
      meta: { requiresAuth: true },
    },
    { path: '/vod/:id', name: 'vod', component: () => import('./views/VodView.vue') },
    { path: '/clip/:id', name: 'clip', component: () => import('./views/ClipView.vue') },
    // A channel lives at /<slug>; reserved slugs (api, studio, login, search, categories...) can
    // never be channels, so the pages above always win.
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
