import { z } from 'zod';
import { defineTool, type Tool } from './define-tool.js';

export const finishTool = (): Tool =>
  defineTool({
    name: 'finish',
    description: 'Call when the task is complete: your changes are saved and committed by caid. Give a short summary.',
    schema: z.object({ summary: z.string() }),
    execute: async ({ summary }) => ({ output: 'Finished.', finish: summary }),
  });
