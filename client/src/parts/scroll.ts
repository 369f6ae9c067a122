// Part "scroll": lvt-scroll="bottom", loaded on pages that use it.
import { define } from '../part';
import { scroll } from '../scroll';

define('scroll', scroll);
