export {mainCommand} from './cli';
export {AzureBillingSource} from './source';
export {validateConfig} from './config/validate';
