/**
 * The inbox's pages in the browser: the server names the page in `<body data-page>` and this renders it.
 * Bundled by esbuild (inbox/assets.ts); talks to the API with the session cookie.
 */
import { createRoot } from 'react-dom/client';
import { InstancePage } from './pages/Instance';
import { ProcessesPage } from './pages/Processes';
import { StartPage } from './pages/Start';
import { TaskPage } from './pages/Task';
import { TasksPage } from './pages/Tasks';
import './styles.css';

const PAGES: Record<string, () => React.JSX.Element> = {
  tasks: TasksPage,
  task: TaskPage,
  instance: InstancePage,
  processes: ProcessesPage,
  start: StartPage,
};

const Page = PAGES[document.body.dataset.page ?? ''];
// The sign-in and error pages are complete as served; the others are drawn here.
if (Page) createRoot(document.getElementById('root')!).render(<Page />);
