import { chatContract } from './chat-contract.js';
import { consoleDriver } from './fixtures/console/driver.js';

chatContract(consoleDriver);
