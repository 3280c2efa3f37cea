import { consoleDriver } from '../fixtures/console/driver.js';
import { chatContract } from './chat-contract.js';

chatContract(consoleDriver);
