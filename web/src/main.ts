import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.ts';
import './styles.css';

// Test builds let tests look inside the page; production bundles drop this branch and the module.
if (import.meta.env.MODE === 'test') await import('./test-hooks.ts');

createApp(App).use(createPinia()).use(router).mount('#app');
