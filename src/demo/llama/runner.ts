/**
 * Real text generation with a local GGUF model through node-llama-cpp: one context with one
 * sequence per concurrent request (`threads: 2`; without it generation is about 20x slower on
 * small CPUs), a FIFO queue for the rest, and prompt/max-token fitting to the context size.
 *
 * Prompts are plain text with no chat template (the demo model is a story model, not a chat
 * model). Token counts come from the model's own tokenizer; the prompt count includes the BOS
 * token that is prepended to every prompt, as vLLM counts it.
 */
import {
  getLlama,
  LlamaCompletion,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';

/** How a request's prompt and max_tokens were fitted into the context window. */
export interface GenerationPlan {
  /** Prompt tokens that will be evaluated, without BOS; the end of the prompt is kept. */
  promptTokens: Token[];
  /** Prompt token count as reported in usage (kept tokens plus BOS). */
  promptTokenCount: number;
  /** Prompt tokens before truncation (plus BOS); equals promptTokenCount when not truncated. */
  originalPromptTokenCount: number;
  /** Tokens to generate at most, after capping to what fits. */
  maxTokens: number;
  /** max_tokens as requested (or the default). */
  requestedMaxTokens: number;
}

/** Result of one finished generation. */
export interface GenerationResult {
  /** Tokens actually generated (each was passed to onToken). */
  completionTokens: number;
  /** `length` when maxTokens was reached, `stop` at end of sequence or on abort. */
  finishReason: 'stop' | 'length';
  /** Wall time spent generating (after the queue), in milliseconds. */
  generationMs: number;
}

/** Sampling options of one generation; temperature 0 is greedy and deterministic. */
export interface SamplingOptions {
  temperature: number;
  seed?: number;
  signal?: AbortSignal;
}

interface Slot {
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
}

/** A loaded model with a queue of generation slots. */
export class LlamaRunner {
  private readonly llama: Llama;
  private readonly model: LlamaModel;
  private readonly context: LlamaContext;
  private readonly freeSlots: Slot[];
  private readonly waiters: ((slot: Slot) => void)[] = [];
  /** Context window per sequence, in tokens (may be rounded up by llama.cpp). */
  readonly contextSize: number;
  private readonly bosCount: number;

  private constructor(llama: Llama, model: LlamaModel, context: LlamaContext) {
    this.llama = llama;
    this.model = model;
    this.context = context;
    this.freeSlots = [];
    for (let i = 0; i < context.totalSequences; i += 1) {
      const sequence = context.getSequence();
      this.freeSlots.push({
        sequence,
        completion: new LlamaCompletion({ contextSequence: sequence }),
      });
    }
    this.contextSize = this.freeSlots[0]?.sequence.contextSize ?? context.contextSize;
    this.bosCount = model.tokens.bos === null ? 0 : 1;
  }

  /** Loads the model (CPU, no source build) and creates `sequences` generation slots. */
  static async load(
    modelPath: string,
    contextSize: number,
    sequences: number,
  ): Promise<LlamaRunner> {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath });
    const size = Math.min(contextSize, model.trainContextSize);
    const context = await model.createContext({ contextSize: size, sequences, threads: 2 });
    return new LlamaRunner(llama, model, context);
  }

  /**
   * Fits a prompt and max_tokens into the context: keeps the prompt's last tokens so that at
   * least min(requested, half the context) tokens can be generated, then caps max_tokens.
   */
  plan(promptText: string, requestedMaxTokens: number): GenerationPlan {
    const all = this.model.tokenize(promptText, false);
    const reserve = Math.max(1, Math.min(requestedMaxTokens, Math.floor(this.contextSize / 2)));
    const budget = Math.max(0, this.contextSize - this.bosCount - reserve);
    const promptTokens = all.length > budget ? all.slice(all.length - budget) : all;
    const room = this.contextSize - this.bosCount - promptTokens.length;
    return {
      promptTokens,
      promptTokenCount: promptTokens.length + this.bosCount,
      originalPromptTokenCount: all.length + this.bosCount,
      maxTokens: Math.min(requestedMaxTokens, room),
      requestedMaxTokens,
    };
  }

  /**
   * Generates up to plan.maxTokens tokens, calling onToken once per generated token with its
   * text. Waits for a free slot first (FIFO). An aborted signal stops generation early.
   */
  async generate(
    plan: GenerationPlan,
    sampling: SamplingOptions,
    onToken: (text: string) => void,
  ): Promise<GenerationResult> {
    const slot = await this.acquire();
    try {
      await slot.sequence.clearHistory();
      const started = performance.now();
      const history: Token[] = [...plan.promptTokens.slice(-8)];
      let completionTokens = 0;
      const result = await slot.completion.generateCompletionWithMeta(plan.promptTokens, {
        maxTokens: plan.maxTokens,
        temperature: sampling.temperature,
        seed: sampling.seed,
        signal: sampling.signal,
        stopOnAbortSignal: true,
        disableContextShift: true,
        contextShiftSize: 1,
        onToken: (tokens) => {
          for (const token of tokens) {
            onToken(this.model.detokenize([token], false, history));
            history.push(token);
            if (history.length > 8) history.shift();
            completionTokens += 1;
          }
        },
      });
      const finishReason = result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
      return { completionTokens, finishReason, generationMs: performance.now() - started };
    } finally {
      this.release(slot);
    }
  }

  /** Frees the context, model and llama.cpp bindings. */
  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }

  private acquire(): Promise<Slot> {
    const slot = this.freeSlots.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiters.shift();
    if (next) next(slot);
    else this.freeSlots.push(slot);
  }
}
