// Part "errors": showing action errors, loaded at a page's first failed action.
import { define } from '../part';
import { errors } from '../errors';

define('errors', errors);
