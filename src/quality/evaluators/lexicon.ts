/**
 * A small curated English toxicity and profanity lexicon, written for llmwatch.
 *
 * Content warning: this file lists offensive words on purpose; it is detection data.
 *
 * Severity: `mild` (casual swearing that is usually not aimed at anyone: "damn", "crap"),
 * `insult` (name-calling), `strong` (strong profanity), `slur` (identity-based slurs),
 * `threat` (wishing or threatening harm).
 *
 * Match modes: `word` = the whole word, or the word plus a common ending (s, es, ed, ing, er,
 * ers, y); `prefix` = words that start with the term ("idiot" -> "idiotic"); `substring` =
 * anywhere inside a word, only for terms that occur in no common innocent word ("fuck" ->
 * "motherfucking"); `suffix` = words ending in the term ("tard" -> "libtard"), with
 * exceptions listed; `phrase` = several words in a row.
 *
 * Limitation: English only; no sense of context, so quoting, reclaimed use and negation
 * ("you are not an idiot") all count as hits, and toxicity without any listed word (sarcasm,
 * dehumanising comparisons, coded language) is missed.
 */

/** How bad a hit is; see the file comment. */
export type Severity = 'mild' | 'insult' | 'strong' | 'slur' | 'threat';

/** One lexicon entry. */
export interface LexiconEntry {
  term: string;
  severity: Severity;
  match: 'word' | 'prefix' | 'substring' | 'suffix' | 'phrase';
  /** Whole words that contain the term but are innocent ("mustard" for "tard"). */
  except?: readonly string[];
}

const e = (
  severity: Severity,
  match: LexiconEntry['match'],
  terms: string,
  except?: readonly string[],
): LexiconEntry[] =>
  terms.split(',').map((term) => ({ term: term.trim(), severity, match, except }));

/** The shipped lexicon. */
export const LEXICON: readonly LexiconEntry[] = [
  ...e('mild', 'word', 'damn,crap,hell,sucks,suck,darn,bloody,freaking,frigging,wtf,omfg,jeez'),
  ...e('strong', 'substring', 'fuck,shit,motherf,bullsh'),
  ...e('strong', 'word', 'fck,fk,fuk,stfu,gtfo,ffs,pos,sob,bs,af,fjb'),
  ...e('strong', 'prefix', 'cunt,bitch,piss,twat,wank,bollock,douch'),
  ...e('strong', 'word', 'ass,arse,dick,cock,prick,pussy,tits,slut,whore,skank,hoe,crotch'),
  ...e(
    'strong',
    'substring',
    'asshole,arsehole,dumbass,jackass,smartass,badass,fatass,dipsh,douchebag',
  ),
  ...e(
    'insult',
    'prefix',
    'idiot,stupid,moron,imbecile,dumb,loser,scumbag,degenerat,pathetic,disgust,worthless,lunatic,maniac,clown,hypocrit,traitor,coward,lowlife,parasite,vermin,maggot,cretin,nitwit,halfwit,dimwit,buffoon,jerk,sleaze,creep,liar,ignoran,incompeten,delusional,brainwash,psycho,sociopath,pervert,pedo,paedo,rapist,fruitcake,repuke,midget,nazi,thug,crook,racist,bigot,fascist,commie,sheep',
  ),
  ...e(
    'insult',
    'word',
    'scum,trash,garbage,filth,pig,pigs,snake,snakes,fool,fools,fat,ugly,evil,shameful,disgrace,disgraceful,nutjob,nutcase,freak,weirdo,clueless,brainless,spineless,gutless,thick,dense,lame',
  ),
  ...e(
    'insult',
    'substring',
    'dumocrat,democrap,demonrat,rethuglican,repugnican,libturd,trumpanzee',
  ),
  ...e('insult', 'suffix', 'tard,tards,turd,turds', ['mustard', 'custard', 'mustards', 'custards']),
  ...e(
    'slur',
    'prefix',
    'nigg,fagg,retard,tranny,trannie,dyke,kike,chink,wetback,raghead,towelhead,gook,coon,beaner',
  ),
  ...e('slur', 'word', 'fag,fags,homo,homos,negro,spic,spics'),
  ...e(
    'threat',
    'phrase',
    "kill yourself,kill urself,go die,should die,deserve to die,hope you die,i will kill,i'll kill,gonna kill,shoot you,hang them,burn in hell,rot in hell,roast in hell,go to hell,drop dead,should be shot,be executed,execute them,death to,hang him,hang her,the gallows",
  ),
  ...e('insult', 'phrase', 'shut up,get lost,screw you,screw them,shove it'),
  ...e('threat', 'word', 'kys'),
];
