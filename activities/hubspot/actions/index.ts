/** Every HubSpot action, in the order the catalogue lists them. */
import { checkCompanyKyc, getCompany, listCompanyFiles } from './companies';
import { checkDealContacts, createContact, findContact } from './contacts';
import { createDeal, getDeal, moveDeal } from './deals';
import { addNote, associate, attachFile, listAssociations } from './engagements';
import { createTicket, getTicket, moveTicket } from './tickets';

export const hubspotActions = [
  getCompany, checkCompanyKyc, listCompanyFiles,
  findContact, createContact, checkDealContacts,
  createDeal, getDeal, moveDeal,
  createTicket, getTicket, moveTicket,
  addNote, attachFile, associate, listAssociations,
] as const;
