// Part "commands": DOM commands (lvt-js-*), loaded on pages that use them.
import { commands } from '../commands';
import { define } from '../part';

define('commands', commands);
