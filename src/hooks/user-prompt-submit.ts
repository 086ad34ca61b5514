/** user-prompt-submit: the same as post-tool-use, so signals reach the model when a person speaks. */
export { signOfLifeAndSignals as userPromptSubmit } from './post-tool-use.js';
