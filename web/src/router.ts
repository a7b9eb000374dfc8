import { createRouter, createWebHistory } from 'vue-router';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('./views/HomeView.vue') },
    { path: '/studio', name: 'studio', component: () => import('./views/StudioView.vue') },
    { path: '/vod/:id', name: 'vod', component: () => import('./views/VodView.vue') },
    // A channel lives at /<slug>; reserved slugs (api, studio...) can never be channels.
    { path: '/:slug', name: 'channel', component: () => import('./views/ChannelView.vue') },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue') },
  ],
});
