import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import 'katex/dist/katex.min.css';
import './style.css';
import KarateDemo from './components/KarateDemo.vue';
import CharLstmDemo from './components/CharLstmDemo.vue';
import GradientFlowDemo from './components/GradientFlowDemo.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('KarateDemo', KarateDemo);
    app.component('CharLstmDemo', CharLstmDemo);
    app.component('GradientFlowDemo', GradientFlowDemo);
  },
} satisfies Theme;
